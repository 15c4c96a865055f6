/** The strict CSV reader and exact minor-unit amounts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv-table.ts';
import { formatMinorUnits, parseMinorUnits } from './money.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, and skips blank lines', () => {
    const table = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    assert.deepEqual(table.header, ['a', 'b']);
    assert.deepEqual(table.records, [{ line: 2, values: ['x, y', 'say "hi"'] }, { line: 4, values: ['two\nlines', 'z'] }]);
    assert.deepEqual(table.errors, []);
  });

  it('reports stray quotes, unclosed quotes and wrong field counts with their lines', () => {
    assert.deepEqual(parseCsv('a,b\nx"y,1\n1,2,3\n').errors, [
      { line: 2, message: 'a quote inside an unquoted field' },
      { line: 3, message: '3 fields where the header has 2' },
    ]);
    assert.deepEqual(parseCsv('a\n"open\n').errors, [{ line: 2, message: 'a quoted field is not closed' }]);
  });
});

describe('minor units', () => {
  it('parses decimal strings by the ISO 4217 exponent, without floats', () => {
    assert.equal(parseMinorUnits('2.80', 'GBP'), 280);
    assert.equal(parseMinorUnits('0.1', 'EUR'), 10);
    assert.equal(parseMinorUnits('1.005', 'KWD'), 1005);
    assert.equal(parseMinorUnits('250', 'JPY'), 250);
    assert.equal(parseMinorUnits('1234567.89', 'USD'), 123456789);
  });

  it('refuses what is not an exact amount', () => {
    assert.match(String(parseMinorUnits('2.805', 'GBP')), /more decimals/);
    assert.match(String(parseMinorUnits('1.5', 'JPY')), /more decimals/);
    assert.match(String(parseMinorUnits('-1.00', 'GBP')), /not a non-negative decimal/);
    assert.match(String(parseMinorUnits('1e3', 'GBP')), /not a non-negative decimal/);
    assert.match(String(parseMinorUnits('1.00', 'XXY')), /ISO 4217/);
  });

  it('formats minor units back', () => {
    assert.equal(formatMinorUnits(280, 'GBP'), '2.80 GBP');
    assert.equal(formatMinorUnits(-50, 'GBP'), '-0.50 GBP');
    assert.equal(formatMinorUnits(1005, 'KWD'), '1.005 KWD');
    assert.equal(formatMinorUnits(250, 'JPY'), '250 JPY');
  });
});
