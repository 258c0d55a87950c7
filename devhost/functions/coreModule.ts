// What `require('@azure/functions-core')` returns once the stand-in is installed.
import { coreApi } from './coreStandIn';
export = coreApi;
