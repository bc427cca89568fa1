import { settingsOperation } from './settingsJob';

export const { description, execute } = settingsOperation('variability');
