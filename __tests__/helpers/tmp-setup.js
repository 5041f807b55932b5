// jest globalSetup: gives this run's temporary directories a name prefix of
// their own (tmp.ts reads it in every worker), so the leak check counts only
// what this run made, never other processes' directories.
export default function setup() {
  process.env.PACK_TEST_TMP_PREFIX = `pack-test-${process.pid}-${Date.now().toString(36)}-`;
}
