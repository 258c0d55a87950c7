import * as chai from 'chai';
import path from 'node:path';
import { parseArgs } from '../../../devhost/cli';
import { SAMPLE_APP } from './sampleHost';

const { expect } = chai;

describe('devhost CLI arguments', () => {
  it('defaults to the current folder, port 7071, a free RPC port and Azurite storage', () => {
    expect(parseArgs([], SAMPLE_APP)).to.deep.equal({ appDir: SAMPLE_APP, port: 7071, rpcPort: 0, storage: 'azurite', clean: false, keys: false });
  });

  it('reads every flag, with separate or inline values', () => {
    const apps = path.dirname(SAMPLE_APP);
    expect(parseArgs(['--app', 'host-sample', '--port=0', '--rpc-port', '17071', '--storage', 'memory', '--clean', '--keys'], apps)).to.deep.equal({
      appDir: SAMPLE_APP, port: 0, rpcPort: 17071, storage: 'memory', clean: true, keys: true,
    });
  });

  it('names the bad argument', () => {
    expect(() => parseArgs(['--port', 'http'], SAMPLE_APP)).to.throw(/--port must be a port number 0-65535, got "http"/);
    expect(() => parseArgs(['--colour'], SAMPLE_APP)).to.throw(/Unknown argument "--colour"/);
    expect(() => parseArgs(['--storage'], SAMPLE_APP)).to.throw(/--storage needs a value/);
    expect(() => parseArgs(['--app', '/nonexistent-app'], SAMPLE_APP)).to.throw(/--app: \/nonexistent-app has no package.json/);
  });
});
