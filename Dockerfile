# One image for the cluster node (`tandem node`), the operator (`tandem operator`) and the CLIs
# (`crdb-cli`, `tandem`). Multi-stage: build with dev dependencies, ship dist/src and production
# dependencies only, run as a non-root user.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# `kubectl exec <rec>-0 -- crdb-cli …` (the crdb-cli method of the seed) finds the CLI on PATH
RUN printf '#!/bin/sh\nexec node /app/dist/src/cli/crdb-cli.js "$@"\n' > /usr/local/bin/crdb-cli \
 && printf '#!/bin/sh\nexec node /app/dist/src/cli/tandem.js "$@"\n' > /usr/local/bin/tandem \
 && chmod 0755 /usr/local/bin/crdb-cli /usr/local/bin/tandem \
 && addgroup -S -g 1001 tandem && adduser -S -u 1001 -G tandem tandem \
 && mkdir -p /var/opt/tandem && chown 1001:1001 /var/opt/tandem
USER 1001
EXPOSE 9443 8443 8080
ENTRYPOINT ["node", "dist/src/cli/tandem.js"]
CMD ["--help"]
