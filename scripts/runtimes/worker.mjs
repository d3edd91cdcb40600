// The runtime scenario (steps.mjs) as a Cloudflare Worker: workerd.mjs bundles it as a user's
// bundler would and POSTs the host's env; the Worker answers the steps as JSON.
import { runScenario } from './steps.mjs';

export default {
  async fetch(request) {
    return Response.json(await runScenario(await request.json()));
  },
};
