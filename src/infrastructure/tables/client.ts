/**
 * Builds the intake TableClient. Locally: a connection string (Azurite); in Azure: the endpoint and a
 * TokenCredential. Plain HTTP is allowed only for an endpoint on loopback.
 */
import { TableClient, type NamedKeyCredential, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { ConfigurationError } from '../../application/errors';
import { isLoopbackUrl } from '../http/loopback';

export interface IntakeTableConfig {
  tableName: string;
  /** INTAKE_TABLE_CONNECTION (local). */
  connectionString?: string;
  /** INTAKE_TABLE_ENDPOINT (azure), with `credential`. */
  endpoint?: string;
  credential?: TokenCredential | NamedKeyCredential;
  /** SDK retries before an error reaches us (default: the SDK's 3). */
  maxRetries?: number;
}

export function createIntakeTableClient(config: IntakeTableConfig): TableClient {
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(config.tableName)) {
    throw new ConfigurationError(
      `INTAKE_TABLE_NAME must be 3-63 letters or digits starting with a letter, got '${config.tableName}'`,
      ['INTAKE_TABLE_NAME'],
    );
  }
  const options = (endpoint: string): TableServiceClientOptions => ({
    allowInsecureConnection: isLoopbackUrl(endpoint),
    ...(config.maxRetries !== undefined ? { retryOptions: { maxRetries: config.maxRetries } } : {}),
  });
  if (config.connectionString) {
    if (/usedevelopmentstorage=true/i.test(config.connectionString)) {
      return TableClient.fromConnectionString(config.connectionString, config.tableName, options('http://127.0.0.1'));
    }
    const endpoint = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(config.connectionString)?.[1];
    if (endpoint?.startsWith('http:') && !isLoopbackUrl(endpoint)) {
      throw new ConfigurationError(`INTAKE_TABLE_CONNECTION uses plain http to a non-loopback host (${endpoint})`, [
        'INTAKE_TABLE_CONNECTION',
      ]);
    }
    return TableClient.fromConnectionString(
      config.connectionString,
      config.tableName,
      options(endpoint ?? 'https://invalid'),
    );
  }
  if (config.endpoint && config.credential) {
    if (config.endpoint.startsWith('http:') && !isLoopbackUrl(config.endpoint)) {
      throw new ConfigurationError(`INTAKE_TABLE_ENDPOINT must be https, got '${config.endpoint}'`, [
        'INTAKE_TABLE_ENDPOINT',
      ]);
    }
    return new TableClient(
      config.endpoint,
      config.tableName,
      config.credential as TokenCredential,
      options(config.endpoint),
    );
  }
  throw new ConfigurationError(
    'the intake table needs INTAKE_TABLE_CONNECTION (local) or INTAKE_TABLE_ENDPOINT with a credential (azure)',
    ['INTAKE_TABLE_CONNECTION', 'INTAKE_TABLE_ENDPOINT'],
  );
}
