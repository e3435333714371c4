// Host preparation on this host through worker processes: the HostPreparer contract.
import { createLocalHostPreparer } from '../src/hostprep/index.js';
import { hostPreparerContract } from './hostprep-contract.js';

hostPreparerContract('local workers', async () => createLocalHostPreparer({ minWorkers: 2, maxWorkers: 4 }));
