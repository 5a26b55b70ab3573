/**
 * Test factories for users and what the shop keeps about them. A user gets an unusable
 * password unless one is passed: `await UserFactory.create({ password: 's3cret-pass' })`
 * hashes it (the hash is the slow part, so only tests that log in pay for it).
 */
import { faker } from '@faker-js/faker';
import { User } from 'nuages/contrib/auth';
import { factory, lazyAttribute, sequence, subFactory } from 'nuages/test';
import { Address, Profile } from './models.ts';

export const UserFactory = factory(User, {
  username: sequence((n) => `user${n}`),
  firstName: () => faker.person.firstName(),
  lastName: () => faker.person.lastName(),
  email: lazyAttribute((user) => `${user.username}@example.com`),
}, {
  traits: { staff: { isStaff: true } },
  postGeneration: {
    password: async (user, extracted, { create }) => {
      await user.setPassword(typeof extracted === 'string' ? extracted : null);
      if (create) await user.save({ updateFields: ['password'] });
    },
  },
});

export const ProfileFactory = factory(Profile, {
  user: subFactory(UserFactory),
  bio: () => faker.lorem.sentence(),
});

export const AddressFactory = factory(Address, {
  user: subFactory(UserFactory),
  city: () => faker.location.city(),
  country: () => faker.location.country(),
});
