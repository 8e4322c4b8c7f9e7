import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTaskManagerConfig, createFetcher, OffsampleError, type Fetcher } from '../src/index.js';
import { startS3Server, tempDir, type S3Server } from './helpers.js';

const BUCKET = 'offsample-test';

describe('S3 fetch (s3rver)', () => {
  let s3: S3Server;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let client: S3Client;
  let fetcher: Fetcher;

  beforeAll(async () => {
    tmp = await tempDir('s3');
    s3 = await startS3Server(tmp.dir, BUCKET);
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/a.bin', Body: Buffer.from('object bytes') }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: Buffer.alloc(3000, 1) }));
    const load = compileTaskManagerConfig({ load: { maxBytes: 1000, retries: 0, timeoutMs: 5000 } }).load;
    fetcher = createFetcher(load, { s3Client: client, bucket: BUCKET });
  });

  afterAll(async () => {
    fetcher?.close();
    client?.destroy();
    await s3?.stop();
    await tmp?.remove();
  });

  it('gets s3:// URLs and plain keys in the job bucket', async () => {
    expect((await fetcher.fetch(`s3://${BUCKET}/dir/a.bin`)).toString()).toBe('object bytes');
    expect((await fetcher.fetch('dir/a.bin')).toString()).toBe('object bytes');
  });

  it('maps a missing key to NOT_FOUND and an oversize object to TOO_LARGE', async () => {
    await expect(fetcher.fetch('dir/none.bin')).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await expect(fetcher.fetch(`s3://no-such-bucket/x`)).rejects.toBeInstanceOf(OffsampleError);
    await expect(fetcher.fetch('big.bin')).rejects.toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});
