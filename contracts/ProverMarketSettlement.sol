// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {ProverMarketState} from "./ProverMarketState.sol";

/// @title ProverMarketSettlement
/// @notice Fulfilment (one proof, or a batch checked at once), slashing and expiry: the
/// market's "Fulfilment", "Slashing" and "Deadlines" rules (docs/market.md). Every circuit is
/// verified by a generated Groth16 verifier (snark::solidity_verifier) whose LAST public input
/// is the paid prover's address, appended here as msg.sender: a proof copied from the mempool
/// does not verify for another sender.
abstract contract ProverMarketSettlement is ProverMarketState {
    // ---------------------------------------------------------------- fulfilment

    // The caller's records while it settles one or many requests: written back once.
    struct Settler {
        address prover;
        Prover p;
        uint96 balance;      // the prover's free balance
        uint256 fees;        // owed to the fee account
        address refundTo;    // a run of refunds to the same requester
        uint256 refundSum;
    }

    // A proof for one request, verified against the request's circuit with msg.sender bound as
    // the last public input. An invalid proof reverts (the verifier's ProofInvalid): nothing is
    // paid and nobody is slashed.
    function fulfill(
        uint256 id,
        uint256[8] calldata proof,
        uint256[] calldata publicSignals,
        uint32[] calldata boundIndices
    ) external {
        Settler memory s = _loadSettler();
        Request storage r = requests_[id];
        uint8 code = _checkFulfil(r, s);
        if (code != 0) _revertFor(code, id, r, s);
        Circuit memory circuit = circuitByIndex_[r.circuit];
        uint256[] memory signals = new uint256[](circuit.publicInputCount);
        code = _signals(r, circuit.publicInputCount, publicSignals, boundIndices, signals, 0);
        if (code == SKIP_SIGNAL_COUNT) revert PublicSignalCount(circuit.publicInputCount - 1, publicSignals.length);
        if (code == SKIP_BOUND_SIGNALS) revert BoundSignalsMismatch();
        IGroth16Verifier(circuit.verifier).verify(proof, signals);
        (uint256 paid, uint256 back) = _settle(id, r, s);
        bool secondary = paid >> 255 != 0;
        emit RequestFulfilled(
            id, msg.sender, uint96(paid), uint96(paid >> 96), secondary ? back >> 96 : 0, uint96(back),
            secondary ? 0 : back >> 96, secondary
        );
        _storeSettler(s);
    }

    // Many proofs of one circuit by one prover (msg.sender bound into every item), as flat arrays:
    // item i is requestIds[i] with proofs[8i, 8i + 8) and publicSignals[wi, wi + w), w the
    // circuit's public input count less one (the prover address, appended here). One randomised
    // batch verification; when it fails, each proof is checked alone and only the valid ones
    // settle. Items that cannot settle are skipped with FulfilmentSkipped; the settled ones are
    // reported together in one BatchFulfilled event.
    function fulfillBatch(
        bytes32 circuitId,
        uint32[] calldata boundIndices,
        uint256[] calldata requestIds,
        uint256[] calldata proofs,
        uint256[] calldata publicSignals
    ) external returns (uint256 settled) {
        Batch memory b = _openBatch(circuitId, requestIds.length, proofs.length, publicSignals.length);
        Settler memory s = _loadSettler();
        _prepareChecks(b, boundIndices, s);
        _checkItems(b, requestIds, publicSignals);
        if (b.k != 0 && _verifyItems(b, circuitId, proofs, publicSignals)) revert VerifierOutOfGas();
        settled = _settleItems(b, requestIds, s);
        _storeSettler(s);
    }

    // A batch in progress: the circuit, and per item three words (items[3i, 3i + 3)): the
    // request's storage slot when it passed the checks, else the skip reason (a keccak256 slot
    // below 256 would take 2^248 tries to find), then the request's slot words 1 and 3 as the
    // checks read them (settling needs them again). k items passed.
    struct Batch {
        address verifier;
        uint256 index;  // the circuit's
        uint256 w;      // public signals per item given (the prover address excluded)
        uint256 k;
        uint256[] items;
        bool lowStake;           // see _prepareChecks
        uint256[] binding;
        bool bindingInRange;
    }

    function _openBatch(bytes32 circuitId, uint256 n, uint256 proofWords, uint256 signalWords)
        internal
        view
        returns (Batch memory b)
    {
        Circuit memory circuit = circuits_[circuitId];
        if (circuit.verifier == address(0)) revert UnknownCircuit(circuitId);
        b.verifier = circuit.verifier;
        b.index = circuit.index;
        b.w = circuit.publicInputCount - 1;
        if (proofWords != n * 8) revert ProofWordCount(n * 8, proofWords);
        if (signalWords != n * b.w) revert PublicSignalCount(n * b.w, signalWords);
        b.items = new uint256[](3 * n);
    }

    // The market's checks of each item against the state at the start of the batch, in the order
    // of _checkFulfil, then the circuit and the binding (as _boundHash): one loop in assembly, as
    // the batch's per-item cost is what the issue bounds. Writes each item's three words.
    function _checkItems(Batch memory b, uint256[] calldata ids, uint256[] calldata signals) internal view {
        uint256 signalsAt;
        assembly {
            signalsAt := signals.offset
        }
        _checkLoop(b, ids, signalsAt);
    }

    function _checkLoop(Batch memory b, uint256[] calldata ids, uint256 signalsAt) private view {
        assembly {
            for { let i := 0 } lt(i, ids.length) { i := add(i, 1) } {
                mstore(0, calldataload(add(ids.offset, shl(5, i))))
                mstore(0x20, requests_.slot)
                let slot := keccak256(0, 0x40)
                let w1 := sload(add(slot, 1))
                let w3 := sload(add(slot, 3))
                let entry := 0
                switch eq(and(shr(240, sload(slot)), 0xff), 1)  // status OPEN
                case 0 {
                    entry := 2  // SKIP_UNKNOWN_REQUEST, or SKIP_CLOSED with a tombstone
                    if sload(add(slot, 2)) { entry := 3 }
                }
                default {
                    switch lt(timestamp(), and(shr(176, w1), 0xffffffffff))  // finalDeadline
                    case 0 { entry := 4 }  // SKIP_FINAL_DEADLINE
                    default {
                        {
                            let holder := and(w3, 0xffffffffffffffffffffffffffffffffffffffff)
                            let other := iszero(eq(holder, caller()))
                            // exclusive until lockDeadline
                            if and(and(iszero(iszero(holder)), lt(timestamp(), and(shr(136, w1), 0xffffffffff))), other) {
                                entry := 5  // SKIP_NOT_HOLDER
                            }
                            if and(iszero(entry), and(other, mload(add(b, 0xa0)))) { entry := 6 }  // SKIP_STAKE
                        }
                        if and(iszero(entry), iszero(eq(and(shr(216, w1), 0xffffffff), mload(add(b, 0x20))))) {
                            entry := 7  // SKIP_WRONG_CIRCUIT
                        }
                        if iszero(entry) {
                            // abi.encode(indices, values) at b.binding, indices in place: the values
                            // are this item's signals at the indices (an index out of range hashes
                            // as 0; b.bindingInRange then fails the item).
                            let h := mload(add(b, 0xc0))
                            for { let j := 0 } lt(j, mload(add(h, 0x40))) { j := add(j, 1) } {
                                let index := mload(add(add(h, 0x60), shl(5, j)))
                                mstore(
                                    add(add(add(h, 0x80), shl(5, mload(add(h, 0x40)))), shl(5, j)),
                                    mul(
                                        lt(index, mload(add(b, 0x40))),
                                        calldataload(add(add(signalsAt, mul(i, shl(5, mload(add(b, 0x40))))), shl(5, index)))
                                    )
                                )
                            }
                            let hash := keccak256(h, add(0x80, shl(6, mload(add(h, 0x40)))))
                            if iszero(and(mload(add(b, 0xe0)), eq(hash, sload(add(slot, 2))))) {
                                entry := 9  // SKIP_BOUND_SIGNALS
                            }
                        }
                        if iszero(entry) {
                            entry := slot
                            mstore(add(b, 0x60), add(mload(add(b, 0x60)), 1))  // ++b.k
                        }
                    }
                }
                let at := add(add(mload(add(b, 0x80)), 0x20), mul(i, 0x60))  // items[3i]
                mstore(at, entry)
                mstore(add(at, 0x20), w1)
                mstore(add(at, 0x40), w3)
            }
        }
    }

    // What _checkItems needs besides the items: whether the caller's free stake is below
    // minFulfillerStake (then only the live lock holder may fulfil), and abi.encode(boundIndices,
    // values) with the values left to fill per item.
    function _prepareChecks(Batch memory b, uint32[] calldata boundIndices, Settler memory s) internal view {
        b.lowStake = s.p.stake < minFulfillerStake;
        uint256 m = boundIndices.length;
        // 4 + 2m words from `binding` on; its length word becomes the head's 0x40, written last.
        uint256[] memory binding = new uint256[](3 + 2 * m);
        bool inRange = true;
        for (uint256 j; j < m; ++j) {
            uint256 index = boundIndices[j];
            binding[2 + j] = index;
            if (index >= b.w) inRange = false;
        }
        assembly {
            mstore(binding, 0x40)
            mstore(add(binding, 0x20), add(0x60, shl(5, m)))
            mstore(add(binding, 0x40), m)
            mstore(add(add(binding, 0x60), shl(5, m)), m)
        }
        b.binding = binding;
        b.bindingInRange = inRange;
    }

    // Settles the items that passed (a request named twice settles once) and emits the events.
    function _settleItems(Batch memory b, uint256[] calldata ids, Settler memory s)
        internal
        returns (uint256 settled)
    {
        uint256[] memory items = b.items;
        // requestId, paid, back (see _settle) per settled item.
        uint256[] memory records = new uint256[](3 * b.k);
        for (uint256 i; i < ids.length; ++i) {
            uint256 id;
            uint256 slot;
            uint256 at;  // items[3i]
            assembly {
                id := calldataload(add(ids.offset, shl(5, i)))
                at := add(add(items, 0x20), mul(i, 0x60))
                slot := mload(at)
            }
            if (slot > type(uint8).max) {
                Request storage r;
                uint256 w0;
                assembly {
                    r.slot := slot
                    w0 := sload(slot)
                }
                if (uint8(w0 >> 240) == OPEN) {
                    (uint256 paid, uint256 back) = _settleAt(id, r, s, w0, at);
                    assembly {
                        let rec := add(add(records, 0x20), mul(settled, 0x60))
                        mstore(rec, id)
                        mstore(add(rec, 0x20), paid)
                        mstore(add(rec, 0x40), back)
                    }
                    ++settled;
                    continue;
                }
                slot = SKIP_CLOSED;
            }
            emit FulfilmentSkipped(id, msg.sender, uint8(slot));
        }
        if (settled != 0) {
            assembly {
                mstore(records, mul(settled, 3))
            }
            emit BatchFulfilled(msg.sender, records);
        }
    }

    // Verifies the k items that passed the checks in one isValidBatch call; when it says no,
    // checks each alone with isValid and marks the invalid ones SKIP_INVALID_PROOF. True when a
    // verifier call failed after using (nearly) all the gas it was given: it may have run out of
    // gas rather than met a bad proof, and the caller reverts, so that gas estimation never
    // settles on a limit at which valid proofs are skipped. (A precompile that fails on a
    // malformed point also uses all its gas, so a malformed proof reverts the batch too; an
    // invalid one does not.)
    function _verifyItems(Batch memory b, bytes32 seed, uint256[] calldata proofs, uint256[] calldata signals)
        internal
        view
        returns (bool starved)
    {
        uint256 proofsAt;
        uint256 signalsAt;
        assembly {
            proofsAt := proofs.offset
            signalsAt := signals.offset
        }
        bool ok;
        (ok, starved) = _verifyBatch(b, seed, proofsAt, signalsAt);
        // One bad proof must not sink the others: check each alone.
        if (!ok && !starved) starved = _verifyEach(b, proofsAt, signalsAt);
    }

    // isValidBatch(proofs, pubSignals, seed) with the items that passed, built in memory: their
    // proofs, then their signals with msg.sender appended to each. Memory from the free pointer
    // on is scratch (nothing is allocated while it is used).
    function _verifyBatch(Batch memory b, bytes32 seed, uint256 proofsAt, uint256 signalsAt)
        internal
        view
        returns (bool ok, bool starved)
    {
        bytes4 selector = IGroth16Verifier.isValidBatch.selector;
        assembly {
            let buf := mload(0x40)
            let end
            {
                let k := mload(add(b, 0x60))
                let w := mload(add(b, 0x40))
                let signalsHead := add(0x80, shl(8, k))  // from buf + 4
                mstore(buf, selector)
                mstore(add(buf, 0x04), 0x60)
                mstore(add(buf, 0x24), signalsHead)
                mstore(add(buf, 0x44), seed)
                mstore(add(buf, 0x64), shl(3, k))
                end := add(add(buf, 4), signalsHead)
                mstore(end, mul(k, add(w, 1)))
                end := add(end, 0x20)
            }
            {
                let wBytes := shl(5, mload(add(b, 0x40)))
                let slot := add(mload(add(b, 0x80)), 0x20)
                let slotsEnd := add(slot, shl(5, mload(mload(add(b, 0x80)))))
                let p := add(buf, 0x84)
                for {} lt(slot, slotsEnd) { slot := add(slot, 0x60) } {
                    if gt(mload(slot), 0xff) {
                        calldatacopy(p, proofsAt, 0x100)
                        p := add(p, 0x100)
                        calldatacopy(end, signalsAt, wBytes)
                        end := add(end, wBytes)
                        mstore(end, caller())
                        end := add(end, 0x20)
                    }
                    proofsAt := add(proofsAt, 0x100)
                    signalsAt := add(signalsAt, wBytes)
                }
            }
            let gasBefore := gas()
            ok := staticcall(gas(), mload(b), buf, sub(end, buf), 0, 0x20)
            if iszero(ok) { starved := iszero(gt(gas(), div(gasBefore, 63))) }
            ok := and(ok, and(iszero(lt(returndatasize(), 0x20)), eq(mload(0), 1)))
        }
    }

    // isValid(proof, pubSignals) for each item that passed the checks; marks the invalid ones.
    function _verifyEach(Batch memory b, uint256 proofsAt, uint256 signalsAt) internal view returns (bool starved) {
        bytes4 selector = IGroth16Verifier.isValid.selector;
        assembly {
            let buf := mload(0x40)
            let wBytes := shl(5, mload(add(b, 0x40)))
            mstore(buf, selector)
            mstore(add(buf, 0x104), 0x120)  // proof (8 words), then the signals' offset
            mstore(add(buf, 0x124), add(shr(5, wBytes), 1))
            mstore(add(add(buf, 0x144), wBytes), caller())
            let slot := add(mload(add(b, 0x80)), 0x20)
            let slotsEnd := add(slot, shl(5, mload(mload(add(b, 0x80)))))
            for {} and(iszero(starved), lt(slot, slotsEnd)) { slot := add(slot, 0x60) } {
                if gt(mload(slot), 0xff) {
                    calldatacopy(add(buf, 4), proofsAt, 0x100)
                    calldatacopy(add(buf, 0x144), signalsAt, wBytes)
                    let gasBefore := gas()
                    let valid := staticcall(gas(), mload(b), buf, add(0x164, wBytes), 0, 0x20)
                    if iszero(valid) { starved := iszero(gt(gas(), div(gasBefore, 63))) }
                    valid := and(valid, and(iszero(lt(returndatasize(), 0x20)), eq(mload(0), 1)))
                    if iszero(valid) { mstore(slot, 1) }  // SKIP_INVALID_PROOF
                }
                proofsAt := add(proofsAt, 0x100)
                signalsAt := add(signalsAt, wBytes)
            }
        }
    }

    function _loadSettler() internal view returns (Settler memory s) {
        s.prover = msg.sender;
        s.p = provers_[msg.sender];
        if (s.p.flags & REGISTERED == 0) revert NotRegistered(msg.sender);
        s.balance = funds_[msg.sender].balance;
    }

    function _storeSettler(Settler memory s) internal {
        _flushRefunds(s);
        provers_[s.prover] = s.p;
        funds_[s.prover].balance = s.balance;
        if (s.fees != 0) {
            unchecked {
                funds_[feeAccount].balance += uint96(s.fees);
            }
        }
    }

    function _flushRefunds(Settler memory s) internal {
        if (s.refundSum != 0) {
            unchecked {
                funds_[s.refundTo].balance += uint96(s.refundSum);
            }
            s.refundSum = 0;
        }
    }

    // 0 when msg.sender may fulfil request r now, else the skip reason (docs/market.md,
    // "Fulfilment"; the order of the checks is the market's).
    function _checkFulfil(Request storage r, Settler memory s) internal view returns (uint8) {
        // Raw slot words (Request's layout, low bits first): status, the deadlines, the holder.
        uint256 w0;
        uint256 w1;
        uint256 w3;
        assembly {
            w0 := sload(r.slot)
            w1 := sload(add(r.slot, 1))
            w3 := sload(add(r.slot, 3))
        }
        if (uint8(w0 >> 240) != OPEN) return r.boundSignalsHash != 0 ? SKIP_CLOSED : SKIP_UNKNOWN_REQUEST;
        if (block.timestamp >= uint40(w1 >> 176)) return SKIP_FINAL_DEADLINE;  // finalDeadline
        address holder = address(uint160(w3));
        if (holder != address(0) && block.timestamp < uint40(w1 >> 136) && holder != s.prover) {
            return SKIP_NOT_HOLDER;  // exclusive until lockDeadline
        }
        if (holder != s.prover && s.p.stake < minFulfillerStake) return SKIP_STAKE;
        return 0;
    }

    function _revertFor(uint8 code, uint256 id, Request storage r, Settler memory s) internal view {
        if (code == SKIP_UNKNOWN_REQUEST) revert UnknownRequest(id);
        if (code == SKIP_CLOSED) revert RequestClosed(id);
        if (code == SKIP_FINAL_DEADLINE) revert FinalDeadlinePassed();
        if (code == SKIP_NOT_HOLDER) revert NotLockHolder(r.holder);
        revert InsufficientStake(s.p.stake, minFulfillerStake);
    }

    // Writes the full public signals (the caller's, then msg.sender) to dst[at..at + width) after
    // checking the count and the signals the request bound; 0 or the skip reason.
    function _signals(
        Request storage r,
        uint256 width,
        uint256[] calldata given,
        uint32[] calldata boundIndices,
        uint256[] memory dst,
        uint256 at
    ) internal view returns (uint8) {
        uint256 n = given.length;
        if (n + 1 != width) return SKIP_SIGNAL_COUNT;
        (bytes32 h, bool inRange) = _boundHash(given, boundIndices);
        if (!inRange || h != r.boundSignalsHash) return SKIP_BOUND_SIGNALS;
        assembly {
            let d := add(add(dst, 0x20), shl(5, at))
            calldatacopy(d, given.offset, shl(5, n))
            mstore(add(d, shl(5, n)), caller())
        }
        return 0;
    }

    // keccak256(abi.encode(boundIndices, given[boundIndices])), built in scratch memory (not
    // allocated): head (0x40, 0x60 + 32m), m, indices..., m, values...; inRange false when an
    // index is not below given.length.
    function _boundHash(uint256[] calldata given, uint32[] calldata boundIndices)
        internal
        pure
        returns (bytes32 h, bool inRange)
    {
        assembly {
            let m := boundIndices.length
            let p := mload(0x40)
            mstore(p, 0x40)
            mstore(add(p, 0x20), add(0x60, shl(5, m)))
            mstore(add(p, 0x40), m)
            let values := add(add(p, 0x60), shl(5, m))
            mstore(values, m)
            inRange := 1
            for { let i := 0 } lt(i, m) { i := add(i, 1) } {
                let index := calldataload(add(boundIndices.offset, shl(5, i)))
                mstore(add(add(p, 0x60), shl(5, i)), index)
                switch lt(index, given.length)
                case 1 { mstore(add(add(values, 0x20), shl(5, i)), calldataload(add(given.offset, shl(5, index)))) }
                default { inRange := 0 }
            }
            h := keccak256(p, add(0x80, shl(6, m)))
        }
    }

    // Pays the fulfiller (s.prover) for request r; _checkFulfil passed and the proof is valid.
    // Returns the settlement in two words: paid = price | fee << 96 | secondary << 255 and
    // back = refund | amount << 96, amount being the bounty when secondary (a lapsed lock; 0 if
    // never locked) and the collateral returned to the holder otherwise (the other one is 0).
    function _settle(uint256 id, Request storage r, Settler memory s) internal returns (uint256, uint256) {
        uint256 w0;
        uint256 w1;
        uint256 w3;
        assembly {
            w0 := sload(r.slot)
            w1 := sload(add(r.slot, 1))
            w3 := sload(add(r.slot, 3))
        }
        return _settleWords(id, r, s, w0, w1, w3);
    }

    // _settleWords with r's slot words 1 and 3 at memory at + 0x20 and at + 0x40.
    function _settleAt(uint256 id, Request storage r, Settler memory s, uint256 w0, uint256 at)
        internal
        returns (uint256, uint256)
    {
        uint256 w1;
        uint256 w3;
        assembly {
            w1 := mload(add(at, 0x20))
            w3 := mload(add(at, 0x40))
        }
        return _settleWords(id, r, s, w0, w1, w3);
    }

    // _settle with r's slot words 0, 1 and 3 already read.
    function _settleWords(uint256 id, Request storage r, Settler memory s, uint256 w0, uint256 w1, uint256 w3)
        internal
        returns (uint256 paid, uint256 back)
    {
        address holder = address(uint160(w3));
        uint256 price;
        uint256 amount;
        if (holder == address(0)) {
            // Never locked: the auction price now.
            price = _price(uint96(w0), uint96(w0 >> 96), uint40(w0 >> 192), uint40(w1 >> 96), block.timestamp);
            unchecked {
                --waiting_[uint8(w0 >> 232)];
            }
            paid = 1 << 255;
        } else {
            price = w3 >> 160;  // lockPrice
            uint96 collateral = uint96(w1);
            if (holder == s.prover && block.timestamp < uint40(w1 >> 136)) {
                // On time: the collateral goes back to free stake.
                unchecked {
                    s.p.locked -= collateral;
                    s.p.stake += collateral;
                    s.p.activeLocks -= 1;
                }
                s.p.failures = 0;
                amount = collateral;
            } else {
                // The lock lapsed: slash the holder now that we know who fulfilled instead.
                amount = _slash(id, holder, collateral, s.prover, s);
                paid = 1 << 255;
                unchecked {
                    s.balance += uint96(amount);  // the bounty
                }
            }
        }
        uint256 refund;
        unchecked {
            uint256 fee = price * feeBps / BPS;  // price < 2^96, feeBps <= BPS
            refund = uint96(w0 >> 96) - price;  // price <= maxPrice
            s.balance += uint96(price - fee);
            paid |= price | fee << 96;
            back = refund | amount << 96;
            if (feeAccount == s.prover) s.balance += uint96(fee);
            else s.fees += fee;
        }
        _close(r);
        if (refund != 0) {
            address requester = address(uint160(id >> 96));
            if (requester == s.prover) {
                unchecked {
                    s.balance += uint96(refund);
                }
            } else {
                if (requester != s.refundTo) {
                    _flushRefunds(s);
                    s.refundTo = requester;
                }
                s.refundSum += refund;
            }
        }
    }

    // Takes the holder's whole collateral: the burn share is destroyed, the rest (returned) is
    // the bounty for bountyTo. `s` caches the caller's prover record, which may be the holder.
    function _slash(uint256 id, address holder, uint96 collateral, address bountyTo, Settler memory s)
        internal
        returns (uint256 bounty)
    {
        uint256 burn = uint256(collateral) * slashBurnBps / BPS;
        unchecked {
            bounty = collateral - burn;
            burned += burn;
        }
        emit ProverSlashed(id, holder, 0, collateral, burn, bounty, bountyTo);
        if (holder == s.prover) {
            _slashRecord(s.p, collateral, holder);
        } else {
            Prover memory p = provers_[holder];
            _slashRecord(p, collateral, holder);
            provers_[holder] = p;
        }
    }

    function _slashRecord(Prover memory p, uint96 collateral, address holder) internal {
        unchecked {
            p.locked -= collateral;
            p.activeLocks -= 1;
            if (p.failures < type(uint24).max) p.failures += 1;
        }
        if (breakerFailures != 0 && p.flags & PAUSED == 0 && p.failures >= breakerFailures) {
            p.flags |= PAUSED;
            emit ProverPaused(holder, p.failures);
        }
    }

    // Expires every listed request past its final deadline (others are skipped): a live holder
    // is slashed, the requester gets the escrow and the bounty. Anyone may call it.
    function expire(uint256[] calldata ids) external returns (uint256 expired) {
        Settler memory none;  // no cached prover
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            Request storage r = requests_[id];
            if (r.status != OPEN || block.timestamp < r.finalDeadline) continue;
            address requester = address(uint160(id >> 96));
            address holder = r.holder;
            uint256 bounty;
            if (holder != address(0)) bounty = _slash(id, holder, r.collateral, requester, none);
            else --waiting_[r.priority];
            uint256 refund = r.maxPrice;
            _close(r);
            unchecked {
                funds_[requester].balance += uint96(refund + bounty);
                ++expired;
            }
            emit RequestExpired(id, requester, refund, bounty);
        }
    }
}
