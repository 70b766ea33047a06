import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';

/** The transaction carrier every repository and the outbox share (one transaction per command). */
export type Tx = TransactionHost<TransactionalAdapterTypeOrm>;
export { TransactionHost, Transactional } from '@nestjs-cls/transactional';
