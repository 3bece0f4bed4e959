# One image for the worker, the API and the sims; docker-compose.yml picks the command.
# TypeScript runs through tsx (a production dependency), so there is no build step.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

USER node
EXPOSE 3000 4001 4002 4003
CMD ["npx", "tsx", "api/main.ts"]
