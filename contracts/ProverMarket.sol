// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {ProverMarketState} from "./ProverMarketState.sol";
import {ProverMarketSettlement} from "./ProverMarketSettlement.sol";

/// @title ProverMarket
/// @notice The provernet market (docs/market.md) on an EVM: reverse-Dutch auction, lock with
/// collateral from free stake, two deadlines, slash with a partial burn, declared capacity,
/// priority reserve, circuit breaker, withdrawal delay. Actors call it with their own keys.
/// Amounts are wei; times are block timestamps in SECONDS (the market uses milliseconds).
/// docs/contracts.md lists every difference from the off-chain market and why. This file: funds
/// and staking, provers and circuits, requests and locks, views; ProverMarketSettlement.sol:
/// fulfilment, slashing, expiry; ProverMarketState.sol: records, events, errors.
contract ProverMarket is ProverMarketSettlement {
    constructor(Config memory c) ProverMarketState(c) {}

    // ---------------------------------------------------------------- funds and staking

    function deposit() external payable {
        _deposit();
    }

    function _deposit() internal {
        if (msg.value == 0) revert InvalidAmount();
        // The contract's ETH bounds every internal amount (see MAX_FUNDS).
        if (address(this).balance > MAX_FUNDS) revert FundsLimitExceeded();
        unchecked {
            funds_[msg.sender].balance += uint96(msg.value);
        }
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        if (amount == 0) revert InvalidAmount();
        Funds storage f = funds_[msg.sender];
        uint256 balance = f.balance;
        if (balance < amount) revert InsufficientBalance(balance, amount);
        unchecked {
            f.balance = uint96(balance - amount);
        }
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function stake(uint256 amount) external {
        if (amount == 0) revert InvalidAmount();
        Funds storage f = funds_[msg.sender];
        uint256 balance = f.balance;
        if (balance < amount) revert InsufficientBalance(balance, amount);
        unchecked {
            f.balance = uint96(balance - amount);
            provers_[msg.sender].stake += uint96(amount);
        }
        emit Staked(msg.sender, amount);
    }

    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert InvalidAmount();
        Prover storage p = provers_[msg.sender];
        uint256 free = p.stake;
        if (free < amount) revert InsufficientStake(free, amount);
        Funds storage f = funds_[msg.sender];
        (uint32 head, uint32 tail) = (f.head, f.tail);
        if (tail - head >= maxPendingUnstakes) revert TooManyPendingUnstakes();
        uint256 unlockAt = block.timestamp + withdrawalDelay;
        unchecked {
            p.stake = uint96(free - amount);
            f.pending += uint96(amount);
            f.tail = tail + 1;
        }
        pendingQueue_[msg.sender][tail] = amount | (unlockAt << 96);
        emit UnstakeRequested(msg.sender, amount, unlockAt);
    }

    // Every matured pending unstake -> balance. One constant delay: matured entries are a prefix.
    function completeUnstake() external {
        Funds memory f = funds_[msg.sender];
        if (f.head == f.tail) revert NothingToWithdraw();
        mapping(uint256 => uint256) storage queue = pendingQueue_[msg.sender];
        uint256 amount;
        uint32 i = f.head;
        for (; i < f.tail; ++i) {
            uint256 entry = queue[i];
            if (entry >> 96 > block.timestamp) break;
            unchecked {
                amount += uint96(entry);
            }
            delete queue[i];
        }
        if (i == f.head) revert WithdrawalNotReady(queue[i] >> 96);
        unchecked {
            f.balance += uint96(amount);
            f.pending -= uint96(amount);
        }
        f.head = i;
        funds_[msg.sender] = f;
        emit UnstakeCompleted(msg.sender, amount);
    }

    // ---------------------------------------------------------------- provers and circuits

    // Registers msg.sender or changes its declared capacity (0 drains: no new locks).
    function registerProver(uint256 capacity) external {
        if (capacity > maxCapacity || capacity > type(uint16).max) revert InvalidCapacity();
        Prover storage p = provers_[msg.sender];
        p.capacity = uint16(capacity);
        p.flags |= REGISTERED;
        emit ProverRegistered(msg.sender, capacity);
    }

    // Clears a circuit-breaker pause: the prover itself ("I fixed it") or the owner.
    function resumeProver(address prover) external {
        if (msg.sender != prover && msg.sender != owner) revert NotAuthorized();
        Prover storage p = provers_[prover];
        uint8 flags = p.flags;
        if (flags & REGISTERED == 0) revert NotRegistered(prover);
        if (flags & PAUSED == 0) revert NotPaused();
        p.flags = flags & ~PAUSED;
        p.failures = 0;
        emit ProverResumed(prover);
    }

    // circuitId is the registrant's identity of the verifier's circuit (snark::circuit_identity);
    // immutable once registered. publicInputCount includes the trailing prover address.
    function registerCircuit(bytes32 circuitId, address verifier, uint32 publicInputCount) external {
        if (circuits_[circuitId].verifier != address(0)) revert CircuitExists(circuitId);
        if (verifier.code.length == 0 || publicInputCount == 0) revert InvalidCircuit();
        if (IGroth16Verifier(verifier).publicInputCount() != publicInputCount) revert InvalidCircuit();
        uint32 index = ++circuitCount_;
        Circuit memory c = Circuit(verifier, publicInputCount, index);
        circuits_[circuitId] = c;
        circuitByIndex_[index] = c;
        circuitIdByIndex_[index] = circuitId;
        emit CircuitRegistered(circuitId, verifier, publicInputCount);
    }

    // ---------------------------------------------------------------- requests

    function requestId(address requester, uint96 key) public pure returns (uint256) {
        return (uint256(uint160(requester)) << 96) | key;
    }

    // Escrows maxPrice from the balance (msg.value, if any, is deposited first). The same key
    // with the same terms returns the existing id without effects; different terms revert.
    function submitRequest(RequestTerms calldata t) external payable returns (uint256 id) {
        if (msg.value > 0) _deposit();
        id = requestId(msg.sender, t.key);
        Request storage r = requests_[id];
        Circuit memory circuit = circuits_[t.circuitId];
        if (circuit.verifier == address(0)) revert UnknownCircuit(t.circuitId);
        if (r.status != NONE || r.boundSignalsHash != 0) {
            _checkSameTerms(r, t, circuit.index, id);
            return id;
        }
        _checkTerms(t);

        Funds storage f = funds_[msg.sender];
        uint256 balance = f.balance;
        if (balance < t.maxPrice) revert InsufficientBalance(balance, t.maxPrice);
        unchecked {
            f.balance = uint96(balance - t.maxPrice);
        }
        r.minPrice = t.minPrice;
        r.maxPrice = t.maxPrice;
        r.rampStart = uint40(t.rampStart);
        r.priority = t.priority;
        r.status = OPEN;
        r.collateral = t.collateral;
        r.rampPeriod = uint40(t.rampPeriod);
        r.lockDeadline = uint40(t.lockDeadline);
        r.finalDeadline = uint40(t.finalDeadline);
        r.circuit = circuit.index;
        r.boundSignalsHash = t.boundSignalsHash;
        unchecked {
            ++waiting_[t.priority];
        }
        emit RequestSubmitted(
            id, msg.sender, t.circuitId, t.priority, t.maxPrice, keccak256(bytes(t.inputs)), t.inputs
        );
    }

    // Terms describing an auction that can run (docs/market.md, "Requests").
    function _checkTerms(RequestTerms calldata t) internal view {
        if (t.maxPrice == 0) revert InvalidRequest(0);
        if (t.minPrice > t.maxPrice) revert InvalidRequest(1);
        if (t.lockDeadline <= block.timestamp) revert InvalidRequest(2);
        if (t.finalDeadline < t.lockDeadline) revert InvalidRequest(3);
        if (t.finalDeadline - block.timestamp > maxRequestLifetime) revert InvalidRequest(4);
        if (t.rampStart > t.lockDeadline || t.rampPeriod > t.lockDeadline - t.rampStart) revert InvalidRequest(5);
        if (t.collateral < minCollateral) revert InvalidRequest(6);
        if (t.priority > 3) revert InvalidRequest(7);
        if (bytes(t.inputs).length > maxInputsBytes) revert InvalidRequest(8);
        if (t.boundSignalsHash == 0) revert InvalidRequest(9);  // zero means no request
    }

    function _checkSameTerms(Request storage r, RequestTerms calldata t, uint32 circuit, uint256 id) internal view {
        uint8 field = type(uint8).max;
        if (r.boundSignalsHash != t.boundSignalsHash) field = 1;
        else if (r.status != OPEN) return;  // closed: only the binding is kept (see _close)
        else if (r.circuit != circuit) field = 0;
        else if (r.priority != t.priority) field = 2;
        else if (r.minPrice != t.minPrice) field = 3;
        else if (r.maxPrice != t.maxPrice) field = 4;
        else if (r.rampStart != t.rampStart) field = 5;
        else if (r.rampPeriod != t.rampPeriod) field = 6;
        else if (r.lockDeadline != t.lockDeadline) field = 7;
        else if (r.finalDeadline != t.finalDeadline) field = 8;
        else if (r.collateral != t.collateral) field = 9;
        if (field != type(uint8).max) revert IdempotencyConflict(id, field);
    }

    // An unlocked request before its final deadline: full refund.
    function cancel(uint256 id) external {
        if (address(uint160(id >> 96)) != msg.sender) revert NotRequester();
        Request storage r = requests_[id];
        if (r.status != OPEN) _revertNotOpen(r, id);
        address holder = r.holder;
        if (holder != address(0)) revert AlreadyLocked(holder);
        if (block.timestamp >= r.finalDeadline) revert FinalDeadlinePassed();
        uint256 refund = r.maxPrice;
        uint8 cls = r.priority;
        _close(r);
        unchecked {
            --waiting_[cls];
            funds_[msg.sender].balance += uint96(refund);
        }
        emit RequestCancelled(id, msg.sender, refund);
    }

    function lock(uint256 id) external {
        Prover memory p = provers_[msg.sender];
        if (p.flags & REGISTERED == 0) revert NotRegistered(msg.sender);
        if (p.flags & PAUSED != 0) revert ProverIsPaused();
        Request storage r = requests_[id];
        if (r.status != OPEN) _revertNotOpen(r, id);
        address holder = r.holder;
        if (holder != address(0)) revert AlreadyLocked(holder);
        if (block.timestamp >= r.lockDeadline) revert LockDeadlinePassed();
        if (p.activeLocks >= p.capacity) revert CapacityExceeded();
        uint8 cls = r.priority;
        uint256 limit = _lockLimit(p.capacity, cls);
        if (p.activeLocks >= limit) revert ClassLimitReached(limit);
        uint96 collateral = r.collateral;
        if (p.stake < collateral) revert InsufficientStake(p.stake, collateral);
        uint256 price = _price(r.minPrice, r.maxPrice, r.rampStart, r.rampPeriod, block.timestamp);
        unchecked {
            p.stake -= collateral;
            p.locked += collateral;
            p.activeLocks += 1;  // < capacity <= uint16 max
            --waiting_[cls];
        }
        provers_[msg.sender] = p;
        r.holder = msg.sender;
        r.lockPrice = uint96(price);
        emit RequestLocked(id, msg.sender, price, collateral);
    }

    // ---------------------------------------------------------------- views

    function accountOf(address account)
        external
        view
        returns (uint256 balance, uint256 stakeFree, uint256 locked, uint256 pending, uint256 pendingCount)
    {
        Funds memory f = funds_[account];
        Prover memory p = provers_[account];
        return (f.balance, p.stake, p.locked, f.pending, f.tail - f.head);
    }

    function pendingUnstake(address account, uint256 i) external view returns (uint256 amount, uint256 unlockAt) {
        Funds memory f = funds_[account];
        if (i >= f.tail - f.head) return (0, 0);
        uint256 entry = pendingQueue_[account][f.head + i];
        return (uint96(entry), entry >> 96);
    }

    function proverOf(address prover)
        external
        view
        returns (bool registered, bool paused, uint256 capacity, uint256 activeLocks, uint256 consecutiveFailures)
    {
        Prover memory p = provers_[prover];
        return (p.flags & REGISTERED != 0, p.flags & PAUSED != 0, p.capacity, p.activeLocks, p.failures);
    }

    function circuitOf(bytes32 circuitId) external view returns (address verifier, uint256 publicInputCount) {
        Circuit memory c = circuits_[circuitId];
        return (c.verifier, c.publicInputCount);
    }

    function requestOf(uint256 id) external view returns (RequestView memory v) {
        Request memory r = requests_[id];
        v.status = r.status == OPEN ? (r.holder != address(0) ? LOCKED : OPEN) : r.boundSignalsHash != 0 ? CLOSED : NONE;
        v.priority = r.priority;
        v.requester = address(uint160(id >> 96));
        v.circuitId = circuitIdByIndex_[r.circuit];
        v.boundSignalsHash = r.boundSignalsHash;
        v.minPrice = r.minPrice;
        v.maxPrice = r.maxPrice;
        v.rampStart = r.rampStart;
        v.rampPeriod = r.rampPeriod;
        v.lockDeadline = r.lockDeadline;
        v.finalDeadline = r.finalDeadline;
        v.collateral = r.collateral;
        v.holder = r.holder;
        v.lockPrice = r.lockPrice;
        v.escrow = r.status == OPEN ? r.maxPrice : 0;
    }

    function priceAt(uint256 id, uint256 t) external view returns (uint256) {
        Request storage r = requests_[id];
        return _price(r.minPrice, r.maxPrice, r.rampStart, r.rampPeriod, t);
    }

    function waiting(uint8 cls) external view returns (uint256) {
        return waiting_[cls];
    }

    function lockLimit(address prover, uint8 cls) external view returns (uint256) {
        return _lockLimit(provers_[prover].capacity, cls);
    }
}
