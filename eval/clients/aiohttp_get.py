"""aiohttp_get.py: one GET through aiohttp (eval row python_aiohttp)."""
import asyncio
import os

import aiohttp


async def main():
    url = 'http://%s:%s/some/path?q=1' % (os.environ['HOST'], os.environ['PORT'])
    async with aiohttp.ClientSession() as s:
        async with s.get(url, timeout=aiohttp.ClientTimeout(total=3)) as r:
            await r.read()

asyncio.run(main())
