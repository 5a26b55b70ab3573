// The app the dumpdata/loaddata tests dump and load: every kind of value Django's
// serializers write (see ../../django/shelf/models.py, its Django twin with the same
// field names, tables and natural keys). No migrations: the test database syncs it.
import {
  BinaryField, BooleanField, CASCADE, CharField, DateField, DateTimeField, DecimalField, DurationField, FloatField, ForeignKey,
  IntegerField, JSONField, ManyToManyField, Model, QuerySet, SET_NULL, TextField, TimeField, UUIDField, uuid4,
} from '../../../../../src/db/index.ts';
import { Group, User } from '../../../../../src/contrib/auth/models.ts';

/** A manager whose models' natural key is their unique name. */
export class ByNameManager<M> extends QuerySet<M> {
  async getByNaturalKey(name: string): Promise<M> {
    return this.get({ name });
  }
}

export class AuthorManager extends ByNameManager<Author> {}
export class SeriesManager extends ByNameManager<Series> {}
export class TagManager extends ByNameManager<Tag> {}

export class Author extends Model<Author>()({
  name: new CharField({ maxLength: 100, unique: true }),
  bio: new TextField({ blank: true }),
  born: new DateField({ null: true }),
  mentor: new ForeignKey<Author, true>('self', { onDelete: SET_NULL, null: true, relatedName: 'mentees' }),
}) {
  static override objects = AuthorManager.asManager(this);

  naturalKey(): [string] {
    return [this.name];
  }
}


export class Book extends Model<Book>()({
  title: new CharField({ maxLength: 200 }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'books' }),
  editor: new ForeignKey(() => Author, { onDelete: SET_NULL, null: true, relatedName: 'edited' }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  published: new DateTimeField(),
  inPrint: new BooleanField({ default: true }),
  rating: new FloatField({ null: true }),
  readingTime: new DurationField({ null: true }),
  opensAt: new TimeField({ null: true }),
  code: new UUIDField({ unique: true, default: uuid4 }),
  extra: new JSONField({ null: true }),
  cover: new BinaryField({ null: true }),
  owner: new ForeignKey(() => User, { onDelete: SET_NULL, null: true }),
  tags: new ManyToManyField(() => Tag, { blank: true }),
  readers: new ManyToManyField(() => Group, { blank: true }),
  members: new ManyToManyField(() => Member, { through: 'shelf.Loan', blank: true }),
}) {}

export class IssueManager extends QuerySet<Issue> {
  async getByNaturalKey(series: string, number: number): Promise<Issue> {
    return this.get({ series__name: series, number });
  }
}

export class Issue extends Model<Issue>()({
  series: new ForeignKey(() => Series, { onDelete: CASCADE }),
  number: new IntegerField(),
  title: new CharField({ maxLength: 100 }),
}, { uniqueTogether: [['series', 'number']] }) {
  static override objects = IssueManager.asManager(this);
  /** Written after the series it names (Django's natural_key.dependencies). */
  static naturalKeyDependencies = ['shelf.series'];

  naturalKey(): [string, number] {
    return [...this.series.naturalKey(), this.number];
  }
}

export class Loan extends Model<Loan>()({
  book: new ForeignKey(() => Book, { onDelete: CASCADE }),
  member: new ForeignKey(() => Member, { onDelete: CASCADE }),
  since: new DateField(),
}) {}

/** Archived members are left out of the default manager (dumpdata --all writes them). */
export class Member extends Model<Member>()({
  id: new UUIDField({ primaryKey: true, default: uuid4 }),
  name: new CharField({ maxLength: 100 }),
  archived: new BooleanField({ default: false }),
}, { managers: { objects: (qs) => qs.filter({ archived: false }) } }) {}

export class Series extends Model<Series>()({
  name: new CharField({ maxLength: 100, unique: true }),
}) {
  static override objects = SeriesManager.asManager(this);

  naturalKey(): [string] {
    return [this.name];
  }
}


export class Tag extends Model<Tag>()({
  name: new CharField({ maxLength: 50, unique: true }),
}) {
  static override objects = TagManager.asManager(this);

  naturalKey(): [string] {
    return [this.name];
  }
}

