#!/usr/bin/env node
/**
 * The `nuages` command, Django's django-admin: `nuages startproject mysite` makes a project,
 * `nuages startapp polls` an app, `nuages version` prints the version. Any other command runs
 * too once `--settings path/to/settings.ts` or NUAGES_SETTINGS_MODULE names a project's settings;
 * inside a project, `node manage.ts <command>` does that for you.
 */
import { executeFromCommandLine } from '../core/management/index.ts';

process.exitCode = await executeFromCommandLine(process.argv);
