import https from 'node:https';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { startCosmos, type CosmosServer } from '@saga/devhost/localstack';
import { cosmosHttpsAgent, createCosmosClient } from '../../../src/infrastructure/cosmos';
import { ConfigurationError } from '../../../src/application/errors';

chai.use(chaiAsPromised);
const { expect } = chai;

/** GETs the server's root through `agent`, resolving with the status or rejecting with the TLS error. */
function getThrough(agent: https.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

describe('Cosmos client TLS rule', () => {
  let server: CosmosServer;
  let port: number;

  before(async () => {
    server = await startCosmos();
    port = Number(new URL(server.endpoint).port);
  });
  after(async () => {
    await server?.stop();
  });

  it('accepts the emulator self-signed certificate for a loopback endpoint', async () => {
    const agent = cosmosHttpsAgent(server.endpoint);
    try {
      expect(await getThrough(agent, port))
        .to.be.a('number')
        .above(0);
    } finally {
      agent.destroy();
    }
  });

  it('keeps certificate verification for a non-loopback endpoint (the emulator certificate is refused)', async () => {
    const agent = cosmosHttpsAgent('https://myaccount.documents.azure.com:443/');
    try {
      await expect(getThrough(agent, port)).to.be.rejectedWith(/certificate/i);
    } finally {
      agent.destroy();
    }
  });

  it('talks to the emulator with the emulator key', async () => {
    const client = createCosmosClient({ endpoint: server.endpoint, key: server.key });
    const { resource } = await client.databases.createIfNotExists({ id: 'tls-check' });
    expect(resource?.id).to.equal('tls-check');
    client.dispose();
  });

  it('names the setting when the configuration is unusable', () => {
    expect(() => createCosmosClient({ endpoint: 'not a url', key: 'k' })).to.throw(
      ConfigurationError,
      /COSMOS_ENDPOINT/,
    );
    expect(() => createCosmosClient({ endpoint: 'http://127.0.0.1:8081/', key: 'k' })).to.throw(
      ConfigurationError,
      /must be https/,
    );
    expect(() => createCosmosClient({ endpoint: server.endpoint })).to.throw(ConfigurationError, /COSMOS_KEY/);
  });
});
