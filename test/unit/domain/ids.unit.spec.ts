import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { errorCodeOf } from '../../../src/application/errors';
import { EVENT_ID_NAMESPACE, eventIdFor, requestIdFromIntakeRow, uuidV5 } from '../../../src/domain/ids';
import { sha1, utf8 } from '../../../src/domain/sha1';

describe('ids', () => {
  describe('uuidV5', () => {
    it('matches the RFC 9562 test vector (DNS namespace, "www.example.com")', () => {
      expect(uuidV5('www.example.com', DNS_NAMESPACE)).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    });
    it('derives the event-id namespace as documented', () => {
      expect(uuidV5('https://schemas.example.com/workflow/request-events', URL_NAMESPACE)).to.equal(EVENT_ID_NAMESPACE);
    });
  });

  describe('sha1', () => {
    it('agrees with node:crypto across block boundaries and multi-byte text', () => {
      for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000), 'zürich/€/𝄞']) {
        const expected = createHash('sha1').update(text, 'utf8').digest('hex');
        expect(Buffer.from(sha1(utf8(text))).toString('hex'), `sha1 of ${text.slice(0, 10)}…`).to.equal(expected);
      }
    });
  });

  describe('eventIdFor', () => {
    it('is the same for the same request and version, and differs otherwise', () => {
      const id = eventIdFor('req-1', 1);
      expect(id).to.equal(eventIdFor('req-1', 1));
      expect(id).to.equal(uuidV5('req-1/1', EVENT_ID_NAMESPACE));
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(eventIdFor('req-1', 2)).to.not.equal(id);
      expect(eventIdFor('req-2', 1)).to.not.equal(id);
    });
    it('refuses a version below 1', () => {
      expect(() => eventIdFor('req-1', 0)).to.throw(/version must be an integer >= 1, got 0/);
    });
  });

  describe('requestIdFromIntakeRow', () => {
    it('uses the RowKey as the request id', () => {
      expect(requestIdFromIntakeRow('batch-7', 'order_42:a.b-c')).to.equal('order_42:a.b-c');
      expect(requestIdFromIntakeRow('p', 'x'.repeat(100))).to.have.length(100);
    });
    for (const [label, rowKey] of [
      ['empty', ''],
      ['slash', 'a/b'],
      ['hash', 'a#b'],
      ['space', 'a b'],
      ['leading dash', '-a'],
      ['101 chars', 'x'.repeat(101)],
    ] as const) {
      it(`refuses a RowKey that is ${label}, explaining the rule`, () => {
        expect(() => requestIdFromIntakeRow('p1', rowKey))
          .to.throw(
            /RowKey .* cannot be a request id: it must be 1-100 characters of letters, digits, '\.', '_', ':' or '-', starting with a letter or digit/,
          )
          .with.property('field', 'RowKey');
        try {
          requestIdFromIntakeRow('p1', rowKey);
        } catch (e) {
          expect(errorCodeOf(e)).to.equal('Validation');
        }
      });
    }
  });

  const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
  const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
});
