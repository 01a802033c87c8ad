"""asyncpg_select.py: a legitimate PostgreSQL client through asyncpg (eval
row python_asyncpg); credentials from the PG* variables."""
import asyncio
import os

import asyncpg


async def main():
    c = await asyncpg.connect(host=os.environ['HOST'], port=int(os.environ['PORT']))
    await c.fetchval('SELECT 1')
    await c.close()

asyncio.run(main())
