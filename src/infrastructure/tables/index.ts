export { createIntakeTableClient, type IntakeTableConfig } from './client';
export { TableIntakeRepository } from './intakeRepository';
export { mapTableError } from './errors';
