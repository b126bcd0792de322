FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
# Apply migrations on start of a worker is deliberate left to `cpd migrate` (one process, not many).
CMD ["node", "bin/cpd.mjs", "worker"]
