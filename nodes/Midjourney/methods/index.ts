export * as loadOptions from './loadOptions';
export * as credentialTest from './credentialTest';
