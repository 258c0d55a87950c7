import * as chai from 'chai';
import { parseRoute } from '../../../devhost/host/routes';

const { expect } = chai;

describe('devhost HTTP route templates', () => {
  it('matches literals case-insensitively and captures parameters', () => {
    expect(parseRoute('orders/{id}/lines').match('/Orders/42/LINES')).to.deep.equal({ id: '42' });
    expect(parseRoute('orders/{id}/lines').match('orders/42')).to.equal(undefined);
    expect(parseRoute('orders/{id}').match('orders/42/extra')).to.equal(undefined);
  });

  it('lets trailing optional parameters be left out', () => {
    const r = parseRoute('echo/{id}/{name?}');
    expect(r.match('echo/1')).to.deep.equal({ id: '1' });
    expect(r.match('echo/1/bob')).to.deep.equal({ id: '1', name: 'bob' });
  });

  it('honours int, alpha, bool and guid constraints', () => {
    expect(parseRoute('x/{id:int}').match('x/12')).to.deep.equal({ id: '12' });
    expect(parseRoute('x/{id:int}').match('x/abc')).to.equal(undefined);
    expect(parseRoute('x/{s:alpha}').match('x/abc')).to.deep.equal({ s: 'abc' });
    expect(parseRoute('x/{b:bool}').match('x/maybe')).to.equal(undefined);
    expect(parseRoute('x/{g:guid}').match('x/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).to.not.equal(undefined);
  });

  it('collects the rest of the path into a catch-all, decoded', () => {
    expect(parseRoute('files/{*path}').match('files/a/b%20c/d')).to.deep.equal({ path: 'a/b c/d' });
    expect(parseRoute('files/{*path}').match('files')).to.deep.equal({});
  });

  it('rejects templates it cannot honour', () => {
    expect(() => parseRoute('a/{*rest}/b')).to.throw(/catch-all \{\*rest\} must be the last segment/);
    expect(() => parseRoute('a/x{id}')).to.throw(/must be a literal or a single \{parameter\}/);
  });
});
