/** `nuages/contrib/sessions` as an installed app: label 'sessions', as Django's. */
import { AppConfig } from '../../conf/apps.ts';

export default class SessionsConfig extends AppConfig {
  override label = 'sessions';
  override verboseName = 'Sessions';
}
