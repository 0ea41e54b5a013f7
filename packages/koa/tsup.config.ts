import { packageBuild } from '../../tsup.base';

// Two entries: the main one never loads @koa/router (an optional peer); `./router` does.
export default packageBuild(['src/index.ts', 'src/router.ts', 'src/global.ts'], {
  tsconfig: 'tsconfig.build.json',
});
