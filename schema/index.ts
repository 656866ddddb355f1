export * from './names.ts';
export * from './categories.ts';
export * from './indexEntry.ts';
export * from './indexConfig.ts';
export * from './manifest.ts';
export * from './apiError.ts';
export * from './RegistryError.ts';
export * from './discoveryBodies.ts';
