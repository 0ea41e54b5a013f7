import { packageBuild } from '../../tsup.base';

export default packageBuild(['src/index.ts', 'src/index.node.ts'], { tsconfig: 'tsconfig.build.json' });
