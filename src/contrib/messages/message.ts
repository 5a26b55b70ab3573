/** One message: a level, the text (a SafeString keeps its safeness), extra tags. */
import { settingOr } from '../../conf/lazy-settings.ts';
import { SafeString, escapeHtml } from '../../utils/safestring.ts';
import { DEFAULT_TAGS } from './constants.ts';

/** The level → tag map: DEFAULT_TAGS with MESSAGE_TAGS over it. */
export function levelTags(): Record<number, string> {
  return { ...DEFAULT_TAGS, ...settingOr<Record<number, string>>('MESSAGE_TAGS', {}) };
}

/**
 * A message as stored and shown (Django's Message). Renders as its text, escaped unless
 * it is a SafeString; `tags` goes in a class attribute.
 *
 * ```ts
 * const m = new Message(WARNING, 'Low stock', 'stock');
 * m.tags;      // 'stock warning'
 * m.levelTag;  // 'warning' (or what MESSAGE_TAGS says)
 * ```
 */
export class Message {
  readonly level: number;
  message: string | SafeString;
  extraTags: string | null;

  constructor(level: number, message: string | SafeString, extraTags: string | null = null) {
    this.level = level;
    this.message = message;
    this.extraTags = extraTags;
  }

  /** The level's tag ('success'), '' for a level without one. */
  get levelTag(): string {
    return levelTags()[this.level] ?? '';
  }

  /** `levelTag` under Django's name, so a template written for Django (`{{ message.level_tag }}`) works unchanged. */
  get level_tag(): string {
    return this.levelTag;
  }

  /** `extraTags` under Django's name, for templates written for Django. */
  get extra_tags(): string | null {
    return this.extraTags;
  }

  /** The extra tags then the level tag, space-separated (`class="{{ message.tags }}"`). */
  get tags(): string {
    return [this.extraTags, this.levelTag].filter((tag) => tag).join(' ');
  }

  /** The message as rendered: the text, escaped unless it is a SafeString. */
  __html__(): string {
    return this.message instanceof SafeString ? this.message.value : escapeHtml(String(this.message));
  }

  toString(): string {
    return String(this.message instanceof SafeString ? this.message.value : this.message);
  }

  /** Same level and same text, as Django compares messages. */
  equals(other: Message): boolean {
    return this.level === other.level && String(this.message) === String(other.message);
  }
}

