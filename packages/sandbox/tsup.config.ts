import { packageBuild } from '../../tsup.base';

// `diamondpay reconcile` imports these at run time, from the user's install: never bundled.
export default packageBuild(['src/index.ts', 'src/cli.ts'], {
  tsconfig: 'tsconfig.build.json',
  external: ['@diamondpay/postgres', 'pg'],
});
