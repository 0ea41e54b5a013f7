import { packageBuild } from '../../tsup.base';

export default packageBuild(['src/index.ts', 'src/global.ts'], { tsconfig: 'tsconfig.build.json' });
