/** The flags naming a real R2 bucket over its S3 API, shared by `publish` and `worker`. */
import type { Command } from 'commander';

/** Adds `--bucket` and `--endpoint` to `command`. */
export function withR2Bucket(command: Command): Command {
  return command
    .option(
      '--bucket <name>',
      'a real R2 bucket, over its S3 API; credentials from R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY',
    )
    .option(
      '--endpoint <url>',
      'with --bucket: S3 endpoint (default https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com)',
    );
}
