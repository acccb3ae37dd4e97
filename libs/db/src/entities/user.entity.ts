import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person with a feed. Only a sha256 of their bearer token is kept. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  /** The feed token (for feed readers, which cannot send headers) is derived from this; it is never stored. */
  @Column({ name: 'feed_token_salt', type: 'text' })
  feedTokenSalt!: string;

  @Column({ type: 'jsonb' })
  interests!: Record<string, string[]>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
