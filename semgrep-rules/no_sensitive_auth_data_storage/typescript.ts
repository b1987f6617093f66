// Test target for semgrep-rules/no_sensitive_auth_data_storage/typescript.yml (parsed only, never run).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Prop, Schema } from '@nestjs/mongoose';

@Entity()
export class StoredCard {
  @PrimaryGeneratedColumn()
  id: number;

  // ok: vibeward.typescript.no_sensitive_auth_data_storage.sad-entity-column
  @Column({ length: 4 })
  last4: string;

  // ruleid: vibeward.typescript.no_sensitive_auth_data_storage.sad-entity-column
  @Column({ nullable: true })
  cvv: string;
}

@Schema()
export class CardDoc {
  // ruleid: vibeward.typescript.no_sensitive_auth_data_storage.sad-entity-column
  @Prop()
  securityCode: string;

  // ok: vibeward.typescript.no_sensitive_auth_data_storage.sad-entity-column
  @Prop()
  brand: string;
}
