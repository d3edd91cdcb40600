// The runtime scenario (steps.mjs) as a Vercel Edge Function in the service-worker form the
// edge-runtime package serves: edge.mjs bundles it and dispatches a POST with the host's env.
import { runScenario } from './steps.mjs';

addEventListener('fetch', (event) => {
  event.respondWith(event.request.json().then(runScenario).then((steps) => Response.json(steps)));
});
