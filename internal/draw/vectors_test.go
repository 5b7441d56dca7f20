package draw

// Test vectors of docs/draw-protocol.md (keep both in step).
var vec1 = struct{ candidates, spec, secret, seed, picks string }{
	candidates: "e44c33778b04da5f6ed5e129e4c715ddc05126cb297185c52e7280b5d837ff0a",
	spec:       "d9fe210c706966a9ede4e9bd514d25dd3e82f9fcc62d122c1f0d9d256efecfc0",
	secret:     "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd",
	seed:       "e19d00c4622ec581507d1c2b5b366137a587828d8ba07f21b5b2d8479018bc11",
	picks:      "technical/1/E-0003/false technical/2/E-0002/false technical/3/E-0006/false technical/4/E-0005/true economic/1/E-0008/false economic/2/E-0007/true",
}

const vec2Seed = "308a0943ad3eb89a10f10f913eb6b7b57ec7a6b3db05aaa85e1ad947e1458cd5"
