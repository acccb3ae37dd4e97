import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UserEntity } from './entities';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Users and their bearer tokens (256 random bits; only the hash is stored). */
export class UsersStore {
  constructor(private readonly dataSource: DataSource) {}

  async create(name: string | null): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = `pf_${randomBytes(32).toString('base64url')}`;
    await this.dataSource.getRepository(UserEntity).insert({ id, name, tokenHash: hashToken(token) });
    return { id, token };
  }

  /** The user a token belongs to; the lookup is by hash, so no token is ever compared as text. */
  async findByToken(token: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { tokenHash: hashToken(token) } });
  }
}
