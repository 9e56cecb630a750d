// The simulation draws from the same seeded generator as the differential test.
export { Rng } from '../e2e/diff/rng.js';
