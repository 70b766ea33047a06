import { DomainError } from '@cognition/platform/domain';
import { SemVer } from './semver.value-object';

describe('SemVer', () => {
  it('parses MAJOR.MINOR.PATCH and prints it back', () => {
    const version = SemVer.parse('1.20.3');
    expect([version.major, version.minor, version.patch]).toEqual([1, 20, 3]);
    expect(version.toString()).toBe('1.20.3');
    expect(SemVer.parse('0.0.0').toString()).toBe('0.0.0');
  });

  it.each(['1.2', '1.2.3.4', '01.2.3', '1.02.3', '1.2.3-beta', 'v1.2.3', '-1.2.3', '1.2.x', '', ' 1.2.3'])(
    'refuses %j',
    (text) => {
      expect(SemVer.isValid(text)).toBe(false);
      expect(SemVer.tryParse(text)).toBeNull();
      expect(() => SemVer.parse(text)).toThrow(DomainError);
    },
  );

  it('compares numerically, not as text', () => {
    expect(SemVer.compare('1.10.0', '1.9.0')).toBe(1);
    expect(SemVer.compare('2.0.0', '10.0.0')).toBe(-1);
    expect(SemVer.compare('1.2.10', '1.2.9')).toBe(1);
    expect(SemVer.compare('1.2.3', '1.2.3')).toBe(0);
    expect(SemVer.parse('0.1.0').compareTo(SemVer.parse('0.0.99'))).toBe(1);
    expect(SemVer.parse('3.0.0').equals(SemVer.parse('3.0.0'))).toBe(true);
  });

  it('sorts a list of versions ascending', () => {
    const sorted = ['1.10.0', '1.2.0', '0.9.9', '1.2.10', '1.2.9'].sort(SemVer.compare);
    expect(sorted).toEqual(['0.9.9', '1.2.0', '1.2.9', '1.2.10', '1.10.0']);
  });
});
