import * as chai from 'chai';
import { parseNcrontab } from '@saga/devhost/internals';

const { expect } = chai;

// Local-time constructor, because schedules are evaluated in the process's time zone.
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date => new Date(y, mo - 1, d, h, mi, s);

describe('devhost NCRONTAB schedules', () => {
  it('fires every second for "* * * * * *"', () => {
    expect(parseNcrontab('* * * * * *').next(at(2024, 1, 1, 10, 0, 0))).to.deep.equal(at(2024, 1, 1, 10, 0, 1));
  });

  it('reads seconds first: "0 */5 * * * *" is every five minutes on the minute', () => {
    const s = parseNcrontab('0 */5 * * * *');
    expect(s.next(at(2024, 1, 1, 10, 1, 30))).to.deep.equal(at(2024, 1, 1, 10, 5, 0));
    expect(s.next(at(2024, 1, 1, 10, 5, 0))).to.deep.equal(at(2024, 1, 1, 10, 10, 0));
  });

  it('supports ranges, lists and stepped ranges', () => {
    const s = parseNcrontab('15,45 0 9-17/4 * * *');
    expect(s.next(at(2024, 1, 1, 8, 0, 0))).to.deep.equal(at(2024, 1, 1, 9, 0, 15));
    expect(s.next(at(2024, 1, 1, 9, 0, 15))).to.deep.equal(at(2024, 1, 1, 9, 0, 45));
    expect(s.next(at(2024, 1, 1, 9, 0, 45))).to.deep.equal(at(2024, 1, 1, 13, 0, 15));
    expect(s.next(at(2024, 1, 1, 17, 0, 45))).to.deep.equal(at(2024, 1, 2, 9, 0, 15));
  });

  it('supports month and day names, combining day and weekday with AND like NCrontab', () => {
    // 2024-03-01 is a Friday; the first Monday the 1st after it is 2024-04-01.
    expect(parseNcrontab('0 30 9 1 * MON').next(at(2024, 3, 1))).to.deep.equal(at(2024, 4, 1, 9, 30, 0));
    expect(parseNcrontab('0 0 0 * FEB-MAR sun').next(at(2024, 1, 10))).to.deep.equal(at(2024, 2, 4));
  });

  it('accepts five fields with seconds = 0', () => {
    expect(parseNcrontab('*/10 * * * *').next(at(2024, 1, 1, 10, 1, 0))).to.deep.equal(at(2024, 1, 1, 10, 10, 0));
  });

  it('rolls over months and leap days', () => {
    expect(parseNcrontab('0 0 12 29 2 *').next(at(2023, 3, 1))).to.deep.equal(at(2024, 2, 29, 12, 0, 0));
    expect(parseNcrontab('0 0 0 31 * *').next(at(2024, 4, 1))).to.deep.equal(at(2024, 5, 31));
  });

  it('returns undefined for a date that never comes', () => {
    expect(parseNcrontab('0 0 0 30 2 *').next(at(2024, 1, 1))).to.equal(undefined);
  });

  it('rejects bad schedules naming the field', () => {
    expect(() => parseNcrontab('* * * *')).to.throw(/expected 6 fields/);
    expect(() => parseNcrontab('60 * * * * *')).to.throw(/second field "60" has 60, outside 0-59/);
    expect(() => parseNcrontab('* * 5-2 * * *')).to.throw(/hour field "5-2" has a range 5-2 that runs backwards/);
    expect(() => parseNcrontab('* * * * * FUNDAY')).to.throw(/day-of-week field "FUNDAY"/);
    expect(() => parseNcrontab('*/0 * * * * *')).to.throw(/step below 1/);
  });
});
