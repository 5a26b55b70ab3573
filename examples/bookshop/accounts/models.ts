/** What the shop keeps about its users, beside nuages/contrib/auth's User. */
import { User } from 'nuages/contrib/auth';
import { CASCADE, CharField, ForeignKey, OneToOneField, Model, TextField } from 'nuages/db';

/** A user's public profile (`user.profile`), created at sign-up. */
export class Profile extends Model<Profile>()({
  user: new OneToOneField(() => User, { onDelete: CASCADE, relatedName: 'profile' }),
  bio: new TextField({ blank: true }),
}) {
  override toString(): string {
    return `Profile of user ${this.userId}`;
  }
}

/** Where a user's orders go (`user.addresses`); checkout adds one. */
export class Address extends Model<Address>()({
  user: new ForeignKey(() => User, { onDelete: CASCADE, relatedName: 'addresses' }),
  city: new CharField({ maxLength: 100 }),
  country: new CharField({ maxLength: 100 }),
}) {
  override toString(): string {
    return `${this.city}, ${this.country}`;
  }
}
