# The ecny-bench image: every role of a run (engine, coordinator, generator shards) from one
# image; the command picks the role (deploy/kubernetes/, docs/distributed.md).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first (a layer that changes only with the lock); the build needs the dev ones.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build \
  && npm prune --omit=dev \
  && chmod +x dist/cli/main.js \
  && ln -s /app/dist/cli/main.js /usr/local/bin/ecny-bench \
  && mkdir -p /app/.cache /app/results \
  && chown node:node /app/.cache /app/results
# The node image's unprivileged user (uid 1000); the manifests run as it too.
USER node
ENTRYPOINT ["ecny-bench"]
CMD ["--help"]
