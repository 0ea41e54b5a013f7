import { packageBuild } from '../../tsup.base';

// `@diamondpay/core/testing` is its own entry, so merchant test helpers never ship in the main bundle.
export default packageBuild(
  { index: 'src/index.ts', 'index.node': 'src/index.node.ts', testing: 'src/testing/index.ts' },
  { tsconfig: 'tsconfig.build.json' },
);
