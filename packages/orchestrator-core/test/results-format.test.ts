/** The one text form of results: the job's results.jsonl, `offsample results` and the dashboard's downloads. */
import { describe, expect, it } from 'vitest';
import { CSV_HEADER, RESULT_FORMATS, resultCsvLine, resultJsonLine, resultLineWriter } from '@offsample/orchestrator-core/results-format';

const error = { inputIndex: 3, input: 'http://x/a,"b".png', label: null, probabilities: null, errorCode: 'NOT_FOUND', errorMessage: 'HTTP 404\nnot here' };
const ok = { ...error, input: 'a.png', label: 'on-sample', probabilities: [0.25, 0.75], errorCode: null, errorMessage: null };

describe('result formats', () => {
  it('JSONL: index, input, then label + probabilities or error {code, message}', () => {
    expect(resultJsonLine(ok)).toBe('{"index":3,"input":"a.png","label":"on-sample","probabilities":[0.25,0.75]}\n');
    expect(JSON.parse(resultJsonLine(error))).toEqual({ index: 3, input: error.input, error: { code: 'NOT_FOUND', message: error.errorMessage } });
  });

  it('CSV quotes commas, quotes and newlines, with CRLF line ends', () => {
    expect(CSV_HEADER).toBe('input_index,input,label,probabilities,error_code,error_message\r\n');
    expect(resultCsvLine(error)).toBe('3,"http://x/a,""b"".png",,,NOT_FOUND,"HTTP 404\nnot here"\r\n');
    expect(resultCsvLine(ok)).toBe('3,a.png,on-sample,"[0.25,0.75]",,\r\n');
  });

  it('picks the writer by format', () => {
    expect(RESULT_FORMATS).toEqual(['jsonl', 'csv']);
    expect(resultLineWriter('csv')(ok)).toBe(resultCsvLine(ok));
    expect(resultLineWriter('jsonl')(ok)).toBe(resultJsonLine(ok));
  });
});
