# One image for the worker, the API and the sims; docker-compose.yml picks the command.
# TypeScript runs through tsx (a production dependency); the one build step is the workflow bundle.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .
# The worker loads this prebuilt bundle instead of bundling the workflows at every start.
RUN node --import tsx scripts/build-workflows.ts dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js

USER node
EXPOSE 3000 4001 4002 4003
CMD ["npx", "tsx", "api/main.ts"]
