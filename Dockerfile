# Tenantbox in a container: the same `npm ci` and `npm run build` as CI, then only what runs.
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles its binding when no prebuilt one fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    TENANTBOX_HOST=0.0.0.0 \
    TENANTBOX_PORT=5080 \
    TENANTBOX_HTTPS_PORT=5443 \
    TENANTBOX_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 5080 5443
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.TENANTBOX_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/tenantbox.js", "serve"]
