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
        _settle(id, r, s);
        _storeSettler(s);
    }

    // Many proofs of one circuit by one prover (msg.sender bound into every item): one
    // randomised batch verification; when it fails, each proof is checked alone and only the
    // valid ones settle. Items that cannot settle are skipped with FulfilmentSkipped.
    function fulfillBatch(bytes32 circuitId, uint32[] calldata boundIndices, FulfilItem[] calldata items)
        external
        returns (uint256 settled)
    {
        Circuit memory circuit = circuits_[circuitId];
        if (circuit.verifier == address(0)) revert UnknownCircuit(circuitId);
        Settler memory s = _loadSettler();
        uint8[] memory skip = new uint8[](items.length);
        _verifyItems(circuit, boundIndices, items, s, skip);
        for (uint256 i; i < items.length; ++i) {
            uint256 id = items[i].requestId;
            uint8 code = skip[i];
            // A request named twice in one batch settles once.
            if (code == 0 && requests_[id].status != OPEN) code = SKIP_CLOSED;
            if (code != 0) {
                emit FulfilmentSkipped(id, msg.sender, code);
                continue;
            }
            _settle(id, requests_[id], s);
            ++settled;
        }
        _storeSettler(s);
    }

    // Marks in `skip` the items that cannot settle: rules, binding, then the proofs.
    function _verifyItems(
        Circuit memory circuit,
        uint32[] calldata boundIndices,
        FulfilItem[] calldata items,
        Settler memory s,
        uint8[] memory skip
    ) internal view {
        uint256 n = items.length;
        uint256 width = circuit.publicInputCount;
        uint256[] memory proofs = new uint256[](n * 8);
        uint256[] memory signals = new uint256[](n * width);
        uint256 k;  // items in the batch so far
        for (uint256 i; i < n; ++i) {
            uint8 code = _select(items[i], circuit, boundIndices, s, signals, k * width);
            if (code != 0) {
                skip[i] = code;
                continue;
            }
            _copyProof(proofs, k * 8, items[i].proof);
            ++k;
        }
        if (k > 0) _verifyBatch(circuit.verifier, items, proofs, signals, skip, k, width);
    }

    function _select(
        FulfilItem calldata item,
        Circuit memory circuit,
        uint32[] calldata boundIndices,
        Settler memory s,
        uint256[] memory signals,
        uint256 at
    ) internal view returns (uint8 code) {
        Request storage r = requests_[item.requestId];
        code = _checkFulfil(r, s);
        if (code == 0 && r.circuit != circuit.index) code = SKIP_WRONG_CIRCUIT;
        if (code == 0) code = _signals(r, circuit.publicInputCount, item.publicSignals, boundIndices, signals, at);
    }

    function _verifyBatch(
        address verifier,
        FulfilItem[] calldata items,
        uint256[] memory proofs,
        uint256[] memory signals,
        uint8[] memory skip,
        uint256 k,
        uint256 width
    ) internal view {
        assembly {
            mstore(proofs, mul(k, 8))
            mstore(signals, mul(k, width))
        }
        // Fiat-Shamir: the coefficients depend on every proof and signal of the batch.
        bytes32 seed;
        assembly {
            let h1 := keccak256(add(proofs, 32), mul(k, 256))
            let h2 := keccak256(add(signals, 32), mul(mul(k, width), 32))
            mstore(0, h1)
            mstore(32, h2)
            seed := keccak256(0, 64)
        }
        bool ok;
        uint256 gasBefore = gasleft();
        try IGroth16Verifier(verifier).isValidBatch(proofs, signals, uint256(seed)) returns (bool valid) {
            ok = valid;
        } catch {
            _notStarved(gasBefore);
        }
        if (ok) return;
        // One bad proof must not sink the others: check each alone.
        uint256 j;
        uint256[] memory one = new uint256[](width);
        for (uint256 i; i < items.length; ++i) {
            if (skip[i] != 0) continue;
            for (uint256 w; w < width; ++w) one[w] = signals[j * width + w];
            bool valid;
            gasBefore = gasleft();
            try IGroth16Verifier(verifier).isValid(items[i].proof, one) returns (bool v) {
                valid = v;
            } catch {
                _notStarved(gasBefore);
            }
            if (!valid) skip[i] = SKIP_INVALID_PROOF;
            ++j;
        }
    }

    // A verifier call that failed after using (nearly) all the gas it was given may have run out
    // of gas rather than met a bad proof: revert, so that gas estimation never settles on a limit
    // at which valid proofs are skipped. (A precompile that fails on a malformed point also uses
    // all its gas, so a malformed proof reverts the batch too; an invalid one does not.)
    function _notStarved(uint256 gasBefore) internal view {
        if (gasleft() <= gasBefore / 63) revert VerifierOutOfGas();
    }

    function _copyProof(uint256[] memory dst, uint256 at, uint256[8] calldata proof) internal pure {
        assembly {
            calldatacopy(add(add(dst, 32), mul(at, 32)), proof, 256)
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
    function _settle(uint256 id, Request storage r, Settler memory s) internal {
        // The request's slots read once (the field layout of Request, low bits first).
        uint256 w0;
        uint256 w3;
        assembly {
            w0 := sload(r.slot)
            w3 := sload(add(r.slot, 3))
        }
        address holder = address(uint160(w3));
        uint256 maxPrice = uint96(w0 >> 96);
        uint256 price;
        uint256 bounty;
        uint256 returned;
        bool secondary = true;
        if (holder == address(0)) {
            // Never locked: the auction price now.
            price = _price(uint96(w0), maxPrice, uint40(w0 >> 192), r.rampPeriod, block.timestamp);
            unchecked {
                --waiting_[uint8(w0 >> 232)];
            }
        } else {
            price = w3 >> 160;  // lockPrice
            uint256 w1;
            assembly {
                w1 := sload(add(r.slot, 1))
            }
            uint96 collateral = uint96(w1);
            if (holder == s.prover && block.timestamp < uint40(w1 >> 136)) {
                // On time: the collateral goes back to free stake.
                unchecked {
                    s.p.locked -= collateral;
                    s.p.stake += collateral;
                    s.p.activeLocks -= 1;
                }
                s.p.failures = 0;
                returned = collateral;
                secondary = false;
            } else {
                // The lock lapsed: slash the holder now that we know who fulfilled instead.
                bounty = _slash(id, holder, collateral, s.prover, s);
            }
        }
        uint256 fee = price * feeBps / BPS;
        uint256 refund;
        unchecked {
            refund = maxPrice - price;  // price <= maxPrice
            s.balance += uint96(price - fee + bounty);
        }
        _close(r);
        if (feeAccount == s.prover) {
            unchecked {
                s.balance += uint96(fee);
            }
        } else {
            s.fees += fee;
        }
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
        emit RequestFulfilled(id, s.prover, price, fee, bounty, refund, returned, secondary);
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
