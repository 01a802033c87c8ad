# bench/summary.awk: reads rounds.sh's rounds.dat, prints per configuration
# (huge lib measure): pairs, then for the rate, CPU per event: geometric
# mean of the pairs' ratios (with/without) and its standard error (of the
# log, so roughly relative); then faults per event with and without.
# A pair is the two rounds of one cycle (the library on a, on b); its ratio
# is the geometric mean of the two, so anything tied to a cluster cancels.
{
	k = $2 " " $3 " " $5
	key[k] = 1
	r = log($6 / $7)
	c = log(($8 / $6) / ($9 / $7))
	lr[k, $1] += r / 2
	lc[k, $1] += c / 2
	half[k, $1]++
	cyc[$1] = 1
	nw[k] += $6; nwo[k] += $7; fw[k] += $10; fwo[k] += $11; cw[k] += $8; cwo[k] += $9
	if ($12 != "-") { lost[k] += $12; sent[k] += $6 }
}
END {
	for (k in key) {
		n = 0; sr = 0; sr2 = 0; sc = 0; sc2 = 0
		for (c in cyc)
			if (half[k, c] == 2) {
				n++
				sr += lr[k, c]; sr2 += lr[k, c] ^ 2
				sc += lc[k, c]; sc2 += lc[k, c] ^ 2
			}
		mr = sr / n; mc = sc / n
		ser = n > 1 ? sqrt((sr2 - n * mr ^ 2) / (n - 1) / n) : 0
		sec = n > 1 ? sqrt((sc2 - n * mc ^ 2) / (n - 1) / n) : 0
		printf "%s %d %.4f %.4f %.4f %.4f %.2f %.2f %.1f %.1f %d %d\n", k, n,
			exp(mr), ser, exp(mc), sec, fw[k] / nw[k], fwo[k] / nwo[k],
			nw[k] / n / 2, nwo[k] / n / 2, sent[k], lost[k]
	}
}
