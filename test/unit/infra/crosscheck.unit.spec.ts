/**
 * Cross-checks the Bicep templates against the code, since nothing here can compile or deploy them:
 * the app settings the code reads (settings.ts) are the ones the function app gets, with the same
 * defaults; no key is configured in Azure; every role the identity needs is granted on the right
 * resource; the Cosmos containers match the adapters; modules and parameters line up.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SETTINGS } from '../../../src/infrastructure/config/settings';
import { CONTAINERS, PARTITION_KEY_VERSION } from '../../../src/infrastructure/cosmos/resources';
import { readSubscriptionsFile } from '@saga/devhost/localstack';
import { SUBSCRIBER_APP } from '../../../localdev/demo/subscriberHost';
import { TABLES } from '../../../subscriber/src/tableStore';
import { declarations, literalValue, mentions, objectEntries, stripComments, type Declaration } from './bicepText';

const ROOT = join(__dirname, '..', '..', '..');
/** Lets the fault check of this suite run it against a modified copy of the tree. */
const INFRA = process.env.CROSSCHECK_INFRA_DIR ?? join(ROOT, 'infra');

interface BicepFile {
  path: string;
  text: string;
  decls: Declaration[];
}

function load(relative: string): BicepFile {
  const path = join(INFRA, relative);
  const source = readFileSync(path, 'utf8');
  return { path: relative, text: stripComments(source), decls: declarations(source) };
}

function one(file: BicepFile, kind: Declaration['kind'], name: string): Declaration {
  const found = file.decls.find((d) => d.kind === kind && d.name === name);
  if (!found) throw new Error(`${file.path} has no ${kind} '${name}'`);
  return found;
}

const main = load('main.bicep');
const modules = new Map(
  readdirSync(join(INFRA, 'modules'))
    .filter((f) => f.endsWith('.bicep'))
    .map((f) => [`modules/${f}`, load(`modules/${f}`)]),
);
const allFiles = [main, ...modules.values()];
const functionAppModule = modules.get('modules/functionapp.bicep')!;
const rolesModule = modules.get('modules/roles.bicep')!;

/** Name -> raw value expression of every app setting the function app is given. */
function appSettings(): Map<string, string> {
  const workflow = objectEntries(one(main, 'var', 'workflowSettings').body!);
  const platform = objectEntries(one(functionAppModule, 'var', 'platformSettings').body!);
  return new Map([...platform, ...workflow]);
}

describe('infra cross-check (Bicep as text against the code)', () => {
  describe('app settings', () => {
    it('wires the settings object into the function app', () => {
      const app = one(main, 'module', 'functionApp');
      expect(objectEntries(objectEntries(app.body!).get('params')!).get('workflowSettings')).to.equal(
        'workflowSettings',
      );
      expect(objectEntries(objectEntries(app.body!).get('params')!).get('durableBackendSettings')).to.equal(
        'durableBackendSettings',
      );
      expect(one(functionAppModule, 'var', 'allSettings').body).to.equal(
        'union(platformSettings, durableBackendSettings, workflowSettings)',
      );
      expect(functionAppModule.text).to.match(/appSettings:\s*\[for \w+ in items\(allSettings\)/);
    });

    it('gives the app every setting of settings.ts except the local-only ones, under the same names', () => {
      const names = [...appSettings().keys()];
      const expected = SETTINGS.filter((s) => s.required !== 'local').map((s) => s.name);
      expect(
        expected.filter((n) => !names.includes(n)),
        'settings missing from the function app',
      ).to.deep.equal([]);
    });

    it('configures no local-only (key) setting anywhere in the templates', () => {
      const localOnly = SETTINGS.filter((s) => s.required === 'local').map((s) => s.name);
      expect(localOnly).to.include.members(['COSMOS_KEY', 'EVENTGRID_TOPIC_KEY']);
      const leaks = allFiles.flatMap((f) => localOnly.filter((n) => mentions(f.text, n)).map((n) => `${f.path}: ${n}`));
      expect(leaks).to.deep.equal([]);
      expect(
        allFiles.filter((f) => /listKeys\(|listConnectionStrings\(/.test(f.text)).map((f) => f.path),
        'key lookups',
      ).to.deep.equal([]);
    });

    it('runs the app in azure mode', () => {
      expect(literalValue(appSettings().get('WORKFLOW_ENVIRONMENT')!)).to.equal('azure');
    });

    it("defaults each setting to settings.ts's default", () => {
      const params = new Map(main.decls.filter((d) => d.kind === 'param').map((d) => [d.name, d.body]));
      const mismatches: string[] = [];
      for (const spec of SETTINGS.filter((s) => s.default !== undefined && s.required !== 'local')) {
        const raw = appSettings().get(spec.name);
        if (raw === undefined) {
          mismatches.push(`${spec.name}: not set`);
          continue;
        }
        const param = /^(?:string\()?(\w+)\)?$/.exec(raw)?.[1];
        const value =
          literalValue(raw) ??
          (param !== undefined && params.has(param) ? literalValue(params.get(param) ?? '') : undefined);
        if (spec.name === 'WORKFLOW_ENVIRONMENT') continue; // deliberately pinned to 'azure', checked above
        if (value !== spec.default) mismatches.push(`${spec.name}: bicep '${value}' vs settings.ts '${spec.default}'`);
      }
      expect(mismatches).to.deep.equal([]);
    });

    it('uses a task hub name the Durable extension accepts', () => {
      const raw = appSettings().get('TASKHUB_NAME')!;
      expect(literalValue(one(main, 'param', raw).body ?? '')).to.match(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
    });

    it('uses identity-based host storage and none of the settings Flex Consumption forbids', () => {
      const names = [...appSettings().keys()];
      expect(names).to.include.members([
        'AzureWebJobsStorage__accountName',
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
      ]);
      const forbidden = [
        'AzureWebJobsStorage',
        'FUNCTIONS_WORKER_RUNTIME',
        'FUNCTIONS_EXTENSION_VERSION',
        'WEBSITE_RUN_FROM_PACKAGE',
        'WEBSITE_CONTENTSHARE',
        'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
        'SCM_DO_BUILD_DURING_DEPLOYMENT',
        'ENABLE_ORYX_BUILD',
        'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
        'WEBSITE_TIME_ZONE',
        'TZ',
      ];
      expect(names.filter((n) => forbidden.includes(n))).to.deep.equal([]);
      expect(functionAppModule.text).to.match(/runtime:\s*\{\s*name:\s*'node'/);
      expect(functionAppModule.text).to.match(/sku:\s*\{\s*tier:\s*'FlexConsumption',\s*name:\s*'FC1'\s*\}/);
    });

    it('lists every setting in local.settings.json.example', () => {
      const path = join(ROOT, 'local.settings.json.example');
      expect(existsSync(path), 'local.settings.json.example exists at the repo root').to.equal(true);
      const values = (JSON.parse(readFileSync(path, 'utf8')) as { Values: Record<string, string> }).Values;
      expect(SETTINGS.map((s) => s.name).filter((n) => !(n in values))).to.deep.equal([]);
    });
  });

  describe('host.json', () => {
    it('takes the task hub name from the TASKHUB_NAME setting', () => {
      const host = JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8')) as {
        extensions: { durableTask: { hubName: string } };
      };
      expect(host.extensions.durableTask.hubName).to.equal('%TASKHUB_NAME%');
    });
  });

  describe('Durable backend (azureStorage | dts)', () => {
    const host = JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8')) as Record<string, unknown>;
    const schedulerModule = modules.get('modules/scheduler.bicep')!;
    /** The settings object of each branch of `cond ? { … } : { … }`. */
    const branches = (): { dts: Map<string, string>; azureStorage: Map<string, string> } => {
      const body = one(main, 'var', 'durableBackendSettings').body!;
      const m = /^useScheduler \? (\{[\s\S]*\}) : (\{[\s\S]*\})$/.exec(body);
      expect(m, `durableBackendSettings is 'useScheduler ? {…} : {…}', got ${body}`).to.not.equal(null);
      return { dts: objectEntries(m![1]!), azureStorage: objectEntries(m![2]!) };
    };
    /** Where an AzureFunctionsJobHost__a__b override lands in host.json, if that path exists there. */
    const hostJsonPath = (setting: string): unknown =>
      setting
        .replace(/^AzureFunctionsJobHost__/, '')
        .split('__')
        .reduce<unknown>(
          (node, key) =>
            node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
          host,
        );

    it("is chosen by one parameter, 'azureStorage' by default, and only 'dts' deploys a scheduler", () => {
      expect(literalValue(one(main, 'param', 'durableBackend').body!)).to.equal('azureStorage');
      expect(main.text).to.match(/@allowed\(\[ 'azureStorage', 'dts' \]\)\s*param durableBackend\b/);
      expect(one(main, 'var', 'useScheduler').body).to.equal("durableBackend == 'dts'");
      const mod = one(main, 'module', 'scheduler');
      expect(mod.target).to.equal('modules/scheduler.bicep');
      expect(mod.header).to.equal('if (useScheduler)');
    });

    it('azureStorage: adds no setting, so host.json (Azure Storage provider on AzureWebJobsStorage) applies as written', () => {
      expect([...branches().azureStorage.keys()]).to.deep.equal([]);
      expect(hostJsonPath('AzureFunctionsJobHost__extensions__durableTask__storageProvider__type')).to.equal(
        'AzureStorage',
      );
      expect([...appSettings().keys()]).to.include('AzureWebJobsStorage__accountName');
    });

    it('dts: overrides the provider to azureManaged through documented host.json override settings, with a managed-identity connection', () => {
      const dts = branches().dts;
      const overrides = [...dts.keys()].filter((k) => k.startsWith('AzureFunctionsJobHost__'));
      // Each lands in a section host.json has (a misspelt path would be ignored silently by the host).
      const parent = (k: string): string => k.slice(0, k.lastIndexOf('__'));
      expect(
        overrides.filter((k) => typeof hostJsonPath(parent(k)) !== 'object'),
        'overrides outside any host.json section',
      ).to.deep.equal([]);
      expect(literalValue(dts.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__type')!)).to.equal(
        'azureManaged',
      );
      const connectionName = literalValue(
        dts.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName')!,
      )!;
      expect(dts.get(connectionName)).to.equal('scheduler!.outputs.connectionString');
      expect(one(schedulerModule, 'output', 'connectionString').body).to.equal(
        "'Endpoint=${scheduler.properties.endpoint};Authentication=ManagedIdentity${identityPart}'",
      );
      expect(one(schedulerModule, 'var', 'identityPart').body).to.equal(
        "empty(identityClientId) ? '' : ';ClientID=${identityClientId}'",
      );
    });

    it('dts: host.json pins an extension bundle that has the azureManaged provider ([4.32.0, 5.0.0))', () => {
      expect(host.extensionBundle).to.deep.equal({
        id: 'Microsoft.Azure.Functions.ExtensionBundle',
        version: '[4.32.0, 5.0.0)',
      });
    });

    it('dts: a scheduler on a stable API version with SKU, capacity and allow list from parameters, and a task hub named TASKHUB_NAME', () => {
      const resources = schedulerModule.decls.filter((d) => d.kind === 'resource');
      expect(resources.map((r) => r.target.split('@')[0])).to.deep.equal([
        'Microsoft.DurableTask/schedulers',
        'Microsoft.DurableTask/schedulers/taskHubs',
      ]);
      expect(
        resources.map((r) => r.target.split('@')[1]).filter((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v ?? '')),
        'preview API versions',
      ).to.deep.equal([]);
      const props = objectEntries(
        objectEntries(one(schedulerModule, 'resource', 'scheduler').body!).get('properties')!,
      );
      expect(props.get('ipAllowlist')).to.equal('ipAllowlist');
      expect(props.get('sku')).to.equal(
        "skuName == 'Dedicated' ? { name: 'Dedicated', capacity: capacity } : { name: 'Consumption' }",
      );
      expect(schedulerModule.text).to.match(/@minLength\(1\)\s*param ipAllowlist string\[\]/);
      const params = objectEntries(objectEntries(one(main, 'module', 'scheduler').body!).get('params')!);
      expect([
        params.get('taskHubName'),
        params.get('skuName'),
        params.get('capacity'),
        params.get('ipAllowlist'),
      ]).to.deep.equal(['taskHubName', 'schedulerSku', 'schedulerCapacity', 'schedulerIpAllowlist']);
      expect(objectEntries(one(schedulerModule, 'resource', 'taskHub').body!).get('name')).to.equal('taskHubName');
    });

    it('dts: grants the app Durable Task Data Contributor on the task hub, and only when the scheduler exists', () => {
      const id = '0ad04412-c4d5-4796-b79c-f76d14c8d402';
      const occurrences = allFiles.flatMap((f) =>
        f.text
          .split(id)
          .slice(1)
          .map(() => f.path),
      );
      expect(occurrences).to.deep.equal(['modules/roles.bicep']);
      const variable = rolesModule.decls.find((d) => d.kind === 'var' && d.body === `'${id}'`)!.name;
      const grants = rolesModule.decls.filter((d) => d.kind === 'resource' && mentions(d.body ?? '', variable));
      expect(grants).to.have.length(1);
      const grant = grants[0]!;
      expect(grant.header).to.equal('if (!empty(schedulerName))');
      expect(objectEntries(grant.body!).get('scope')).to.equal('schedulerTaskHub');
      expect(one(rolesModule, 'resource', 'schedulerTaskHub').target).to.match(
        /^Microsoft\.DurableTask\/schedulers\/taskHubs@/,
      );
      expect(objectEntries(objectEntries(grant.body!).get('properties')!).get('principalId')).to.equal(
        'appPrincipalId',
      );
      const params = objectEntries(objectEntries(one(main, 'module', 'roles').body!).get('params')!);
      expect(params.get('schedulerName')).to.equal("useScheduler ? scheduler!.outputs.name : ''");
      expect(params.get('schedulerTaskHubName')).to.equal('taskHubName');
    });
  });

  describe('role assignments', () => {
    // GUIDs from azure-facts.md §1.1 (EventGrid Data Sender), §2.5 (Cosmos data plane), §3.2 and §4.2
    // (storage and monitoring), which cite built-in-roles.md and the Cosmos data-plane role reference.
    const azureRoles = [
      {
        role: 'Storage Blob Data Owner',
        id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
        scopeType: 'Microsoft.Storage/storageAccounts',
      },
      {
        role: 'Storage Queue Data Contributor',
        id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
        scopeType: 'Microsoft.Storage/storageAccounts',
      },
      {
        role: 'Storage Table Data Contributor',
        id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
        scopeType: 'Microsoft.Storage/storageAccounts',
      },
      {
        role: 'EventGrid Data Sender',
        id: 'd5a91429-5739-47e2-a06b-3470a27159e7',
        scopeType: 'Microsoft.EventGrid/topics',
      },
      {
        role: 'Monitoring Metrics Publisher',
        id: '3913510d-42f4-4e42-8a64-420c390055eb',
        scopeType: 'Microsoft.Insights/components',
      },
    ];
    const cosmosDataContributor = '00000000-0000-0000-0000-000000000002';

    /** The variable holding `id`, after checking the id is written exactly once in all templates. */
    function roleVariable(id: string): string {
      const occurrences = allFiles.flatMap((f) =>
        f.text
          .split(id)
          .slice(1)
          .map(() => f.path),
      );
      expect(occurrences, `role id ${id} is written once`).to.deep.equal(['modules/roles.bicep']);
      const variable = rolesModule.decls.find((d) => d.kind === 'var' && d.body === `'${id}'`);
      expect(variable, `a named variable holds ${id}`).to.not.equal(undefined);
      return variable!.name;
    }

    /** Unconditional assignments in roles.bicep that use `variable`, directly or through an array variable they loop over. */
    function assignmentsUsing(variable: string, resourceType: string): Declaration[] {
      const arrays = rolesModule.decls
        .filter((d) => d.kind === 'var' && d.body?.startsWith('[') && mentions(d.body, variable))
        .map((d) => d.name);
      return rolesModule.decls.filter(
        (d) =>
          d.kind === 'resource' &&
          d.target.startsWith(`${resourceType}@`) &&
          !d.header.startsWith('if') &&
          (mentions(d.body!, variable) || arrays.some((a) => d.header.includes(` in ${a}:`))),
      );
    }

    it('grants the app identity each Azure RBAC role on the resource that needs it', () => {
      const scopes = new Map(
        rolesModule.decls.filter((d) => d.kind === 'resource').map((d) => [d.name, d.target.split('@')[0]]),
      );
      for (const { role, id, scopeType } of azureRoles) {
        const variable = roleVariable(id);
        const grants = assignmentsUsing(variable, 'Microsoft.Authorization/roleAssignments').filter((d) =>
          /principalId:\s*appPrincipalId/.test(d.body!),
        );
        expect(
          grants.map((g) => g.name),
          `${role} is assigned to the app`,
        ).to.have.length.greaterThan(0);
        for (const grant of grants) {
          const scope = objectEntries(grant.body!).get('scope');
          expect(scopes.get(scope ?? ''), `${role} (${grant.name}) scope`).to.equal(scopeType);
        }
      }
    });

    it('grants the app the Cosmos DB Built-in Data Contributor data-plane role', () => {
      const variable = roleVariable(cosmosDataContributor);
      const grants = assignmentsUsing(variable, 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
      expect(grants).to.have.length(1);
      const props = objectEntries(objectEntries(grants[0]!.body!).get('properties')!);
      expect(props.get('roleDefinitionId')).to.equal(`'\${cosmos.id}/sqlRoleDefinitions/\${${variable}}'`);
      expect(props.get('principalId')).to.equal('appPrincipalId');
    });

    it('writes the Cosmos data-plane role assignments one after another (Cosmos answers concurrent ones with 412)', () => {
      const sqlAssignments = rolesModule.decls.filter(
        (d) =>
          d.kind === 'resource' && d.target.startsWith('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@'),
      );
      expect(sqlAssignments.length).to.be.greaterThan(1);
      const unserialised = sqlAssignments
        .slice(1)
        .filter((d, i) => !mentions(objectEntries(d.body!).get('dependsOn') ?? '', sqlAssignments[i]!.name));
      expect(
        unserialised.map((d) => d.name),
        'assignments that do not depend on the one before them',
      ).to.deep.equal([]);
    });

    it('hands the roles module the function app identity', () => {
      const params = objectEntries(objectEntries(one(main, 'module', 'roles').body!).get('params')!);
      expect(params.get('appPrincipalId')).to.equal('functionApp.outputs.principalId');
      expect(one(functionAppModule, 'output', 'principalId').body).to.equal('app.identity.principalId');
    });
  });

  describe('data stores', () => {
    it('declares the Cosmos containers the adapters use, with their partition keys and TTL', () => {
      const cosmos = modules.get('modules/cosmos.bicep')!;
      const containers = cosmos.decls.filter(
        (d) =>
          d.kind === 'resource' &&
          d.target.startsWith('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@'),
      );
      const declared = containers.map((c) => {
        const resource = objectEntries(objectEntries(objectEntries(c.body!).get('properties')!).get('resource')!);
        return {
          id: literalValue(resource.get('id')!),
          partitionKey: /paths:\s*\[\s*'([^']+)'\s*\]/.exec(resource.get('partitionKey')!)?.[1],
          version: Number(objectEntries(resource.get('partitionKey')!).get('version')),
          defaultTtl: resource.has('defaultTtl') ? Number(resource.get('defaultTtl')) : undefined,
        };
      });
      const expected = Object.values(CONTAINERS).map((c) => ({
        id: c.id,
        partitionKey: c.partitionKey,
        version: PARTITION_KEY_VERSION,
        defaultTtl: 'defaultTtl' in c ? c.defaultTtl : undefined,
      }));
      expect(declared).to.have.deep.members(expected);
    });

    it('turns off key access to Cosmos and storage, and publishes CloudEvents', () => {
      expect(modules.get('modules/cosmos.bicep')!.text).to.match(/disableLocalAuth:\s*true/);
      expect(modules.get('modules/storage.bicep')!.text).to.match(/allowSharedKeyAccess:\s*false/);
      expect(modules.get('modules/eventgrid.bicep')!.text).to.match(/inputSchema:\s*'CloudEventSchemaV1_0'/);
      expect(literalValue(one(main, 'param', 'eventGridDisableLocalAuth').body!)).to.equal('true');
    });
  });

  describe('parameters fail at deployment, not at run time', () => {
    const decorated = (name: string): string =>
      new RegExp(`((?:^@.*\\n)*)param ${name}\\b`, 'm').exec(main.text)?.[1] ?? '';

    it('requires the external service URL: no default in the template, read from the environment by the parameter file', () => {
      expect(one(main, 'param', 'externalServiceUrl').body).to.equal(undefined);
      const source = stripComments(readFileSync(join(INFRA, 'main.bicepparam'), 'utf8'));
      expect(/^param externalServiceUrl\s*=\s*(.*)$/m.exec(source)?.[1]).to.equal(
        "readEnvironmentVariable('EXTERNAL_SERVICE_URL')",
      );
    });

    it('lower-cases baseName before it names any resource', () => {
      expect(one(main, 'var', 'prefix').body).to.equal('toLower(baseName)');
      const uses = main.decls
        .filter((d) => d.name !== 'prefix' && mentions(d.body ?? '', 'baseName'))
        .map((d) => d.name);
      expect(uses, 'declarations that use baseName as given').to.deep.equal([]);
      expect(one(main, 'var', 'names').body).to.match(/\$\{prefix\}/);
    });

    it("bounds the intake table name to the app's rule (3-63 letters or digits, a letter first)", () => {
      expect(decorated('intakeTableName'))
        .to.match(/@minLength\(3\)/)
        .and.match(/@maxLength\(63\)/);
      expect(literalValue(one(main, 'param', 'intakeTableName').body!)).to.match(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
    });

    it('types every tags parameter as a map of strings', () => {
      const untyped = allFiles
        .flatMap((f) => f.decls.filter((d) => d.kind === 'param' && d.name === 'tags').map(() => f))
        .filter((f) => !/^param tags \{ \*: string \} = \{\}$/m.test(f.text))
        .map((f) => f.path);
      expect(untyped).to.deep.equal([]);
    });

    it('names each module deployment after this deployment, so two deployments never share one', () => {
      expect(one(main, 'var', 'deploymentSuffix').body).to.match(/deployment\(\)\.name/);
      const fixed = main.decls
        .filter(
          (d) => d.kind === 'module' && !/\$\{deploymentSuffix\}'$/.test(objectEntries(d.body!).get('name') ?? ''),
        )
        .map((d) => d.name);
      expect(fixed).to.deep.equal([]);
    });
  });

  describe('deployment guide', () => {
    const guide = readFileSync(join(ROOT, 'docs', 'DEPLOY_AZURE.md'), 'utf8');

    it('names the roles a deployer needs to create role assignments, before the first step', () => {
      const beforeStepOne = guide.slice(0, guide.indexOf('\n## 1.'));
      expect(beforeStepOne)
        .to.include('**Owner**')
        .and.include('**User Access Administrator**')
        .and.include('**Role Based Access Control Administrator**');
    });

    it('tells the deployer which environment variable the parameter file requires', () => {
      expect(guide).to.match(/export EXTERNAL_SERVICE_URL=/);
    });
  });

  describe('templates line up', () => {
    it('passes every module its required parameters and nothing it does not declare', () => {
      const problems: string[] = [];
      for (const mod of main.decls.filter((d) => d.kind === 'module')) {
        const file = modules.get(mod.target);
        if (!file) {
          problems.push(`${mod.name}: no file ${mod.target}`);
          continue;
        }
        const passed = [...objectEntries(objectEntries(mod.body!).get('params')!).keys()];
        const declared = file.decls.filter((d) => d.kind === 'param');
        for (const p of passed)
          if (!declared.some((d) => d.name === p)) problems.push(`${mod.name}: passes unknown '${p}'`);
        for (const d of declared)
          if (d.body === undefined && !passed.includes(d.name))
            problems.push(`${mod.name}: misses required '${d.name}'`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('sets every required parameter in main.bicepparam and no undeclared one', () => {
      const source = stripComments(readFileSync(join(INFRA, 'main.bicepparam'), 'utf8'));
      expect(source).to.match(/^using 'main\.bicep'$/m);
      const set = [...source.matchAll(/^param\s+(\w+)\s*=/gm)].map((m) => m[1]!);
      const declared = main.decls.filter((d) => d.kind === 'param');
      expect(
        set.filter((p) => !declared.some((d) => d.name === p)),
        'undeclared',
      ).to.deep.equal([]);
      expect(
        declared.filter((d) => d.body === undefined && !set.includes(d.name)).map((d) => d.name),
        'unset required',
      ).to.deep.equal([]);
    });

    it('outputs what the deployment guide uses', () => {
      const outputs = main.decls.filter((d) => d.kind === 'output').map((d) => d.name);
      expect(outputs).to.include.members([
        'functionAppName',
        'functionAppHost',
        'topicEndpoint',
        'cosmosEndpoint',
        'storageAccountName',
      ]);
    });
  });
  describe('event subscriptions and the subscriber app', () => {
    const subscriberModule = modules.get('modules/subscriber.bicep')!;
    const subscriptions = readSubscriptionsFile(join(ROOT, 'eventgrid', 'subscriptions.json'));
    const resource = (name: string): Map<string, string> =>
      objectEntries(one(subscriberModule, 'resource', name).body!);

    it('deploys the subscriptions from the same file the local topic delivers by', () => {
      expect(one(subscriberModule, 'var', 'subscriptionsFile').body).to.equal(
        "loadJsonContent('../../eventgrid/subscriptions.json')",
      );
      const decl = one(subscriberModule, 'resource', 'eventSubscriptions');
      expect(decl.target).to.match(/^Microsoft\.EventGrid\/topics\/eventSubscriptions@/);
      expect(decl.header).to.match(/\[for \(s, i\) in subscriptionsFile\.subscriptions:/);
      const props = objectEntries(resource('eventSubscriptions').get('properties')!);
      expect(props.get('name') ?? resource('eventSubscriptions').get('name')).to.equal('s.name');
      expect(props.get('eventDeliverySchema')).to.equal('s.eventDeliverySchema');
      expect(props.get('filter')).to.equal('s.filter');
      expect(props.get('retryPolicy')).to.equal('s.retryPolicy');
    });

    it('delivers to the Azure Function the file names, in the app this module deploys', () => {
      const dest = objectEntries(objectEntries(resource('eventSubscriptions').get('properties')!).get('destination')!);
      expect(literalValue(dest.get('endpointType')!)).to.equal('AzureFunction');
      expect(objectEntries(dest.get('properties')!).get('resourceId')).to.equal(
        "'${app.outputs.id}/functions/${s.destination.functionName}'",
      );
      const source = readFileSync(join(ROOT, 'subscriber', 'src', 'index.ts'), 'utf8');
      for (const sub of subscriptions) {
        expect(sub.destination.endpointType, sub.name).to.equal('AzureFunction');
        if (sub.destination.endpointType !== 'AzureFunction') continue;
        expect(
          sub.destination.functionApp,
          `${sub.name}: the only function app infra deploys for subscriptions`,
        ).to.equal(SUBSCRIBER_APP);
        expect(
          source,
          `${sub.name}: subscriber/src/index.ts registers the Event Grid trigger ${sub.destination.functionName}`,
        ).to.match(new RegExp(`app\\.eventGrid\\('${sub.destination.functionName}'`));
      }
    });

    it('dead-letters to a blob container with the topic identity, which may write to that container only', () => {
      for (const sub of subscriptions)
        expect(sub.deadLetterContainer, `${sub.name} has a dead-letter container`).to.be.a('string');
      const props = objectEntries(resource('eventSubscriptions').get('properties')!);
      const dl = props.get('deadLetterWithResourceIdentity')!;
      expect(dl).to.match(/identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
      expect(dl).to.match(/endpointType:\s*'StorageBlob'/);
      expect(dl).to.match(/blobContainerName:\s*s\.deadLetterDestination\.blobContainerName/);
      expect(modules.get('modules/eventgrid.bicep')!.text).to.match(/identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
      const writer = resource('topicDeadLetterWriter');
      expect(writer.get('scope')).to.equal('deadLetterContainers[i]');
      const wprops = objectEntries(writer.get('properties')!);
      expect(wprops.get('principalId')).to.equal('topicPrincipalId');
      expect(wprops.get('roleDefinitionId')).to.contain('roleIds.storageBlobDataContributor');
      expect(one(rolesModule, 'var', 'storageBlobDataContributorRoleId').body).to.equal(
        "'ba92f5b4-2d11-453d-a403-e96b0029c9fe'",
      );
      const params = objectEntries(objectEntries(one(main, 'module', 'subscriber').body!).get('params')!);
      expect(params.get('topicPrincipalId')).to.equal('eventGrid.outputs.principalId');
      expect(params.get('roleIds')).to.equal('roles.outputs.roleIds');
    });

    it('gives the subscriber app only blob (host) and table (read model) data roles, and the settings it reads', () => {
      expect(one(subscriberModule, 'var', 'subscriberStorageRoleIds').body!.replace(/\s+/g, ' ')).to.equal(
        '[ roleIds.storageBlobDataOwner roleIds.storageTableDataContributor ]',
      );
      const roleUses = [...subscriberModule.text.matchAll(/roleIds\.(\w+)/g)].map((m) => m[1]!);
      expect([...new Set(roleUses)].sort()).to.deep.equal([
        'monitoringMetricsPublisher',
        'storageBlobDataContributor',
        'storageBlobDataOwner',
        'storageTableDataContributor',
      ]);
      const settings = objectEntries(
        objectEntries(objectEntries(one(subscriberModule, 'module', 'app').body!).get('params')!).get(
          'workflowSettings',
        )!,
      );
      expect([...settings.keys()].sort()).to.deep.equal(['SUBSCRIBER_TABLE_ENDPOINT', 'WORKFLOW_API_URL']);
      expect(one(subscriberModule, 'var', 'readModelTables').body!.replace(/\s+/g, ' ')).to.equal(
        `[ ${Object.values(TABLES)
          .map((t) => `'${t}'`)
          .join(', ')} ]`,
      );
    });
  });
});
