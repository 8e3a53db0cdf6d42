#!/bin/sh
# Stand-in for Prisma 7's native schema engine, which `prisma generate` wants a path to but never runs.
echo "prisma: the native schema engine is not installed in this repository." >&2
echo "Migrations are committed SQL (prisma/migrations/<provider>); apply them with 'npm run db:migrate'," >&2
echo "create new ones with 'npm run db:migration -- <name>' (see prisma/schema.prisma)." >&2
exit 1
