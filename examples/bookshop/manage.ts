#!/usr/bin/env node
/** The bookshop's command-line utility: `node examples/bookshop/manage.ts help`. */
import { executeFromCommandLine } from 'nuages/core/management';

process.env['NUAGES_SETTINGS_MODULE'] ??= new URL('./settings.ts', import.meta.url).href;
process.exitCode = await executeFromCommandLine(process.argv);
