/** The market world of the routing tests: the default world of testing/market.ts. */
import { openMarket } from '../../testing/market.js';

export const WORLD = openMarket().world;
