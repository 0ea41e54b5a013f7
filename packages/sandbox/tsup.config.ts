import { packageBuild } from '../../tsup.base';

export default packageBuild(['src/index.ts', 'src/cli.ts'], { tsconfig: 'tsconfig.build.json' });
