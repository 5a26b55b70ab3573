/** `nuages/contrib/messages` as an installed app: label 'messages', as Django's. */
import { AppConfig } from '../../conf/apps.ts';

export default class MessagesConfig extends AppConfig {
  override label = 'messages';
  override verboseName = 'Messages';
}
